// The support console's only script: keeps the queue (live) and the transcript current without a reload, and
// asks before a button that ends something. Every text goes in as textContent, never as HTML.
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function element(tag, attributes, children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children || []) {
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function postButton(action, label) {
  const token = element("input", { type: "hidden", name: "csrf_token", value: csrfToken() });
  const button = element("button", { type: "submit" }, [label]);
  return element("form", { method: "post", action: action, class: "inline" }, [token, button]);
}

function filterData(entry) {
  return { "data-ticket": String(entry.id), "data-reason": entry.reason, "data-language": entry.language,
           "data-channel": entry.channel, "data-number": entry.enrollment_number };
}

// Same structure as queue.py's _waiting_row and _mine_item; the cells' labels come from the table's head.
function waitingRow(entry, claimLabel, headings) {
  const last = [];
  if (entry.no_reply_note) last.push(element("p", { class: "no-reply" }, [entry.no_reply_note]));
  last.push(postButton(entry.claim_url, claimLabel));
  return element("tr", filterData(entry), [
    element("td", { "data-label": headings[0], class: "short" }, [
      element("a", { href: entry.url }, ["#" + entry.id])]),
    element("td", { "data-label": headings[1], class: "short" }, [entry.member || "–"]),
    element("td", { "data-label": headings[2], class: "short" }, [entry.language_label]),
    element("td", { "data-label": headings[3], class: "reason" }, [entry.reason_label]),
    element("td", { "data-label": headings[4], class: "short" }, [entry.channel_label]),
    element("td", { "data-label": headings[5], class: "last" }, [entry.last_message || "–"]),
    element("td", { "data-label": headings[6], class: "wait " + entry.waiting_level }, [
      entry.waiting_label + " ", element("span", { class: "level" }, [entry.waiting_level_label])]),
    element("td", {}, last),
  ]);
}

function mineItem(entry) {
  const parts = ["#" + entry.id, entry.member, entry.language_label, entry.reason_label].filter(Boolean);
  return element("li", filterData(entry), [element("a", { href: entry.url }, [parts.join(" · ")])]);
}

// The filter bar: rows that do not match are hidden; "only mine" hides the waiting table.
function applyFilters() {
  const form = document.getElementById("filters");
  if (!form) return;
  const wanted = { reason: form.reason.value, language: form.language.value, channel: form.channel.value };
  const number = form.number.value.trim().toUpperCase();
  const onlyMine = form.mine.checked;
  for (const item of document.querySelectorAll("#queue tbody tr, #mine li")) {
    const matches = Object.entries(wanted).every(([key, value]) => !value || item.dataset[key] === value) &&
      (!number || (item.dataset.number || "").toUpperCase().includes(number));
    item.hidden = !matches || (onlyMine && item.closest("#queue") !== null);
  }
  document.getElementById("queue").hidden = onlyMine;
}

// Same structure as ticket_page.py's _transcript_line.
function transcriptLine(entry) {
  const children = [
    element("span", { class: "who" }, [entry.speaker_label]), " ",
    element("time", {}, [entry.time]),
    element("p", { class: "text" }, [entry.text]),
  ];
  if (entry.buttons.length) {
    children.push(element("ul", { class: "buttons" }, entry.buttons.map((t) => element("li", {}, [t]))));
  }
  return element("li", { class: "line " + entry.speaker }, children);
}

// Asks node.dataset.source again every data-interval ms. With data-events, a Server-Sent Events stream
// (bot/console/live.py) says when to ask at once, and the polling slows to data-live-interval while the
// stream is open.
function poll(node, render) {
  let timer = 0;
  let live = false;
  let asked = 0;  // only the latest answer is shown, should two requests cross
  const interval = () => Number(live ? node.dataset.liveInterval : node.dataset.interval) || 3000;
  async function refresh() {
    window.clearTimeout(timer);
    const mine = ++asked;
    try {
      const response = await fetch(node.dataset.source, { credentials: "same-origin" });
      if (response.status === 401) { window.location.reload(); return; }
      const data = response.ok ? await response.json() : null;
      if (data && mine === asked) render(data);
    } catch (error) { /* offline for a moment: try again next time */ }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, interval());
  }
  if (node.dataset.events && window.EventSource) {
    const events = new EventSource(node.dataset.events);
    events.addEventListener("open", () => { live = true; refresh(); });
    events.addEventListener("queue", refresh);
    events.addEventListener("error", () => { live = false; });
  }
  timer = window.setTimeout(refresh, interval());
}

document.addEventListener("DOMContentLoaded", () => {
  const queue = document.getElementById("queue");
  if (queue && queue.dataset.source) {
    const headings = Array.from(queue.tHead.rows[0].cells, (cell) => cell.textContent);
    poll(queue, (data) => {
      queue.tBodies[0].replaceChildren(...data.waiting.map((e) => waitingRow(e, queue.dataset.claim, headings)));
      document.getElementById("queue-empty").hidden = data.waiting.length > 0;
      document.getElementById("mine").replaceChildren(...data.mine.map(mineItem));
      document.getElementById("mine-empty").hidden = data.mine.length > 0;
      applyFilters();
    });
    const filters = document.getElementById("filters");
    filters.addEventListener("input", applyFilters);
    filters.addEventListener("submit", (event) => event.preventDefault());
  }
  const transcript = document.getElementById("transcript");
  if (transcript && transcript.dataset.source) {
    poll(transcript, (data) => {
      const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
      transcript.replaceChildren(...data.lines.map(transcriptLine));
      if (atBottom) transcript.lastElementChild?.scrollIntoView({ block: "end" });
    });
  }
  document.addEventListener("click", (event) => {  // a quick reply goes into the reply box, to edit or send
    const canned = event.target.closest("[data-canned]");
    const box = document.getElementById("reply-text");
    if (canned && box) { box.value = canned.dataset.canned; box.focus(); }
  });
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
});
