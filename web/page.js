/*
 * The chat page: shows the chat full size and switches its language (中文 / English).
 * The language comes from ?lang=zh|en, else the tab's last choice, else the browser.
 */
(function () {
  "use strict";

  var TEXT = {
    zh: {
      title: "老年防癌互助计划 · 报名助手",
      heading: "老年防癌互助计划",
      tagline: "和报名助手聊一聊：了解计划，看看是否符合条件，为父母或自己加入。",
      note: "互助计划不是保险。对话会保存在我们的服务器上，用来办理报名和客服跟进。报名前会先说明怎样使用和保存您的信息。",
      switchLabel: "语言"
    },
    en: {
      title: "Senior Cancer Mutual Aid Plan · Enrollment assistant",
      heading: "Senior Cancer Mutual Aid Plan",
      tagline: "Chat with the enrollment assistant: learn about the plan, check eligibility, join for a parent or yourself.",
      note: "A mutual aid plan is not insurance. The conversation is kept on our servers, to handle your enrollment and for our staff to follow up. Before you enroll, we explain how your information is used and kept.",
      switchLabel: "Language"
    }
  };
  var STORAGE_KEY = "enrollment-chat-language";
  var chat = window.EnrollmentChat;

  function show(language) {
    var text = TEXT[language];
    document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
    document.title = text.title;
    document.querySelectorAll("[data-text]").forEach(function (element) {
      element.textContent = text[element.getAttribute("data-text")];
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

  document.querySelectorAll("[data-language]").forEach(function (button) {
    button.addEventListener("click", function () { choose(button.getAttribute("data-language")); });
  });
  choose(new URLSearchParams(location.search).get("lang") || sessionStorage.getItem(STORAGE_KEY) ||
         navigator.language);
  chat.start({container: document.getElementById("chat")});
})();
