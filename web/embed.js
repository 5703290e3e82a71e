/*
 * The enrollment assistant's web chat loader: the one tag a site needs (see EMBED.md).
 *
 *   <script src="https://SERVER/webhooks/webchat/static/embed.js" defer></script>
 *
 * It loads the rasa-webchat widget from the same server, connects to that server's socket.io endpoint and
 * sends the chat language with every message (customData.language: "zh" or "en"), so the assistant
 * answers in it. The browser keeps the conversation (local storage), so a family that closes the tab and
 * comes back on the same device finds it again, with an unfinished enrollment to carry on; typed ID
 * numbers and phones are shown as typed only in this browser, and EnrollmentChat.startAfresh() forgets it
 * here (the page offers it as "start over", for shared computers).
 *
 * It also brings the chat's own styles (chat.css: the plan's colours, 44 px buttons, the step label, the
 * enrollment number card) and gives the enrollment number card a copy button.
 *
 * Optional attributes on the tag:
 *   data-language="zh" | "en"   the chat language (default: the page's <html lang>, else the browser's)
 *   data-manual-start           do not open the launcher; the page calls EnrollmentChat.start() itself
 *
 * window.EnrollmentChat.start({container})  shows the chat inside `container` (else as a launcher)
 * window.EnrollmentChat.setLanguage(lang)   switches the language of the next messages and the labels
 * window.EnrollmentChat.startAfresh()       forgets the conversation in this browser and starts a new one
 */
(function () {
  "use strict";

  var tag = document.currentScript;
  var staticBase = new URL(".", tag.src);
  var LABELS = {
    zh: {title: "老年防癌互助计划", subtitle: "报名助手", hint: "请输入消息…", connecting: "正在连接…",
         copy: "复制编号", copied: "已复制", send: "发送", message: "消息"},
    en: {
      title: "Senior Cancer Mutual Aid Plan",
      subtitle: "Enrollment assistant",
      hint: "Type a message…",
      connecting: "Connecting…",
      copy: "Copy number",
      copied: "Copied",
      send: "Send",
      message: "Message"
    }
  };
  var ENROLLMENT_NUMBER = /SC\d{6}-[0-9A-Z]{5}/;  // as bot/store/enrollments.py issues them
  // One object for the widget's whole life: it sends this very object with each message.
  var customData = {language: pickLanguage(tag.getAttribute("data-language"))};
  var container = null;
  var embedded = false;
  var widgetLoaded = null;

  function pickLanguage(preferred) {
    var hint = preferred || document.documentElement.lang || navigator.language || "zh";
    return /^zh/i.test(hint) ? "zh" : "en";
  }

  function loadStyles() {
    if (document.querySelector("link[data-enrollment-chat]")) {
      return;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("chat.css", staticBase).href;
    link.setAttribute("data-enrollment-chat", "");
    document.head.appendChild(link);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var field = document.createElement("textarea");  // older browsers, and pages served over http
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.opacity = "0";
    document.body.appendChild(field);
    field.select();
    var copied = document.execCommand("copy");
    field.remove();
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function addCopyButtons(root) {
    root.querySelectorAll(".enrollment-number-card:not([data-copy])").forEach(function (card) {
      var found = ENROLLMENT_NUMBER.exec(card.innerText);  // innerText keeps the line breaks: the number ends its line
      if (!found) {
        return;
      }
      card.setAttribute("data-copy", found[0]);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "enrollment-copy";
      button.textContent = LABELS[customData.language].copy;
      button.addEventListener("click", function () {
        copyText(found[0]).then(function () {
          button.textContent = LABELS[customData.language].copied;
        });
      });
      card.appendChild(button);
    });
  }

  // The widget's quick replies are plain <div>s: make them buttons a keyboard can reach and press.
  function makeRepliesKeyboardButtons(root) {
    root.querySelectorAll(".rw-reply:not([role])").forEach(function (reply) {
      reply.setAttribute("role", "button");
      reply.setAttribute("tabindex", "0");
      reply.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          reply.click();
        }
      });
    });
  }

  // The send button is an icon only: give it (and the message box) a name screen readers can say.
  function nameControls(root) {
    var labels = LABELS[customData.language];
    root.querySelectorAll(".rw-send").forEach(function (button) {
      if (button.getAttribute("aria-label") !== labels.send) {
        button.setAttribute("aria-label", labels.send);
      }
    });
    root.querySelectorAll(".rw-new-message").forEach(function (field) {
      if (field.getAttribute("aria-label") !== labels.message) {
        field.setAttribute("aria-label", labels.message);
      }
    });
  }

  function improve(root) {
    addCopyButtons(root);
    makeRepliesKeyboardButtons(root);
    nameControls(root);
  }

  // A family on an English page that types Chinese (or the other way round) is answered in the language it
  // types: the message goes out with that language, and the page and the widget's labels follow.
  // The same rule as the server's (bot/core/language.py): "ok", "hmm" or a slip of the keyboard ("qwzxv")
  // is no English word and changes nothing.
  var CHINESE = /[\u3400-\u9fff]/;
  var LATIN_WORD = /[A-Za-z\u00c0-\u024f]{2,}/g;
  var VOWEL = /[aeiouy\u00c0-\u024f]/i;
  var SOUND = /^(?:h+m+|m+h*|u+h+|u+m+|e+r+m*|e+h+|a+h+|o+h+|h+u+h+|a+r+g+h+|p+h+e+w+)$/i;
  var NEUTRAL = ["ok", "okay", "id", "app", "vip", "ps", "qq", "wechat", "alipay", "rmb", "cny"];

  function isEnglishWord(word) {
    return NEUTRAL.indexOf(word.toLowerCase()) < 0 && VOWEL.test(word) && !SOUND.test(word);
  }

  function typedLanguage(text) {
    if (CHINESE.test(text)) {
      return "zh";
    }
    if (/^\s*\//.test(text)) {
      return null;
    }
    return (text.match(LATIN_WORD) || []).some(isEnglishWord) ? "en" : null;
  }

  function followTypedLanguage(event) {
    var field = event.target && event.target.querySelector && event.target.querySelector(".rw-new-message");
    var typed = field ? typedLanguage(field.value) : null;
    if (!typed || typed === customData.language) {
      return;
    }
    customData.language = typed;  // the very object the widget sends with this message
    window.dispatchEvent(new CustomEvent("enrollmentchat:language", {detail: typed}));
    setTimeout(render, 0);  // the widget's own labels, once it has sent the message
  }

  function watchForCards() {
    container.addEventListener("submit", followTypedLanguage, true);
    improve(container);
    new MutationObserver(function () { improve(container); }).observe(container, {childList: true, subtree: true});
  }

  function loadWidget() {
    if (!widgetLoaded) {
      widgetLoaded = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = new URL("webchat.js", staticBase).href;
        script.async = true;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return widgetLoaded;
  }

  // A first visit's route key: 16 random hex digits, picked once per page.
  var firstVisitRoute = null;

  function newRouteKey() {
    var bytes = new Uint8Array(8);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // The session this browser keeps, in the socket.io URL: nginx routes the connection by its first 16
  // digits (its route key), onto the replica that the replies pushed to this conversation go to
  // (deploy/nginx/sticky-maps.conf). A first visit has no session yet: it sends a route key of its own,
  // and the server issues the session starting with it, so even the first connection lands there.
  function socketUrl() {
    var kept = null;
    try {
      kept = JSON.parse(localStorage.getItem("chat_session") || "null");
    } catch (ignored) {
      kept = null;
    }
    var session = kept && kept.session_id;
    if (/^[0-9a-f]{64}$/.test(session || "")) {
      return staticBase.origin + "/?session=" + session;
    }
    firstVisitRoute = firstVisitRoute || newRouteKey();
    return staticBase.origin + "/?session=" + firstVisitRoute;
  }

  function render() {
    var labels = LABELS[customData.language];
    window.WebChat.default({
      socketUrl: socketUrl(),
      socketPath: "/socket.io/",
      customData: customData,
      initPayload: "/greet",
      title: labels.title,
      subtitle: labels.subtitle,
      inputTextFieldHint: labels.hint,
      connectingText: labels.connecting,
      embedded: embedded,
      showFullScreenButton: !embedded,
      hideWhenNotConnected: false,
      withRules: false,
      params: {storage: "local"}
    }, container);
  }

  function start(options) {
    options = options || {};
    embedded = Boolean(options.container);
    var first = !container;
    container = options.container || container || document.body.appendChild(document.createElement("div"));
    loadStyles();
    if (first) {
      watchForCards();
    }
    return loadWidget().then(render);
  }

  function startAfresh() {
    localStorage.removeItem("chat_session");
    sessionStorage.removeItem("chat_session");
    location.reload();
  }

  function setLanguage(preferred) {
    customData.language = pickLanguage(preferred);
    if (container && window.WebChat) {
      render();
    }
    return customData.language;
  }

  window.EnrollmentChat = {
    start: start,
    setLanguage: setLanguage,
    startAfresh: startAfresh,
    language: function () { return customData.language; }
  };

  if (!tag.hasAttribute("data-manual-start")) {
    start();
  }
})();
