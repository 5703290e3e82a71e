/*
 * The chat page: shows the chat full size, switches its language (中文 / English) and its text size.
 * The language comes from ?lang=zh|en, else the tab's last choice, else the browser; when the family types
 * in the other language, the page follows it (embed.js tells it). The text size
 * (A− / A+) is remembered in this browser (local storage) and scales the chat's text (web/chat.css).
 */
(function () {
  "use strict";

  var TEXT = {
    zh: {
      title: "老年防癌互助计划 · 报名助手",
      heading: "老年防癌互助计划 · 报名助手",
      note: "互助计划不是保险。对话会保存在我们的服务器上，用来办理报名和客服跟进。",
      switchLabel: "语言",
      restart: "重新开始",
      textSize: "字号",
      smaller: "字小一点",
      larger: "字大一点"
    },
    en: {
      title: "Senior Cancer Mutual Aid Plan · Enrollment assistant",
      heading: "Senior Cancer Mutual Aid Plan",
      note: "A mutual aid plan is not insurance. The conversation is kept on our servers, for your enrollment and our staff's follow-up.",
      switchLabel: "Language",
      restart: "Start over",
      textSize: "Text size",
      smaller: "Smaller text",
      larger: "Larger text"
    }
  };
  var STORAGE_KEY = "enrollment-chat-language";
  var SIZE_KEY = "enrollment-chat-text-size";
  var SIZES = [1, 1.15, 1.3, 1.5];
  var chat = window.EnrollmentChat;

  function show(language) {
    var text = TEXT[language];
    document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
    document.title = text.title;
    document.querySelectorAll("[data-text]").forEach(function (element) {
      element.textContent = text[element.getAttribute("data-text")];
    });
    document.querySelectorAll("[data-label]").forEach(function (element) {
      element.setAttribute("aria-label", text[element.getAttribute("data-label")]);
    });
    document.querySelector(".language").setAttribute("aria-label", text.switchLabel);
    document.querySelectorAll("[data-language]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-language") === language));
    });
  }

  function choose(preferred) {
    var language = chat.setLanguage(preferred);
    sessionStorage.setItem(STORAGE_KEY, language);
    show(language);
  }

  function storedSize() {
    var index = parseInt(localStorage.getItem(SIZE_KEY), 10);
    return index >= 0 && index < SIZES.length ? index : 0;
  }

  function applySize(index) {
    localStorage.setItem(SIZE_KEY, String(index));
    document.documentElement.style.setProperty("--chat-text-scale", String(SIZES[index]));
    document.documentElement.setAttribute("data-text-size", String(index));
    document.querySelector('[data-size="-1"]').disabled = index === 0;
    document.querySelector('[data-size="1"]').disabled = index === SIZES.length - 1;
  }

  window.addEventListener("enrollmentchat:language", function (event) {  // the family typed another language
    sessionStorage.setItem(STORAGE_KEY, event.detail);
    show(event.detail);
  });
  document.querySelectorAll("[data-language]").forEach(function (button) {
    button.addEventListener("click", function () { choose(button.getAttribute("data-language")); });
  });
  document.querySelectorAll("[data-size]").forEach(function (button) {
    button.addEventListener("click", function () {
      var next = storedSize() + parseInt(button.getAttribute("data-size"), 10);
      applySize(Math.max(0, Math.min(SIZES.length - 1, next)));
    });
  });
  document.querySelector(".restart").addEventListener("click", function () { chat.startAfresh(); });
  applySize(storedSize());
  choose(new URLSearchParams(location.search).get("lang") || sessionStorage.getItem(STORAGE_KEY) ||
         navigator.language);
  chat.start({container: document.getElementById("chat")});
})();
