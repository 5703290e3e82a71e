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
    zh: {title: "老年防癌互助计划", subtitle: "报名助手", hint: "请输入消息…", connecting: "正在连接…"},
    en: {
      title: "Senior Cancer Mutual Aid Plan",
      subtitle: "Enrollment assistant",
      hint: "Type a message…",
      connecting: "Connecting…"
    }
  };
  // One object for the widget's whole life: it sends this very object with each message.
  var customData = {language: pickLanguage(tag.getAttribute("data-language"))};
  var container = null;
  var embedded = false;
  var widgetLoaded = null;

  function pickLanguage(preferred) {
    var hint = preferred || document.documentElement.lang || navigator.language || "zh";
    return /^zh/i.test(hint) ? "zh" : "en";
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

  // The session this browser keeps, in the socket.io URL: nginx routes the connection by it, onto the
  // replica that the replies pushed to this conversation go to (deploy/nginx/sticky-maps.conf).
  function socketUrl() {
    var kept = null;
    try {
      kept = JSON.parse(localStorage.getItem("chat_session") || "null");
    } catch (ignored) {
      kept = null;
    }
    var session = kept && kept.session_id;
    return staticBase.origin + (/^[0-9a-f]{64}$/.test(session || "") ? "/?session=" + session : "");
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
    container = options.container || container || document.body.appendChild(document.createElement("div"));
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
