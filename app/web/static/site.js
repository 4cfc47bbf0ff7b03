// Kempelen's pages: small progressive enhancements only; every page works without this script.
(function () {
  "use strict";

  // A countdown to an assignment's deadline: <span class="timer" data-deadline="ISO time" data-now="ISO time">.
  // data-now is the server's clock (it may be a manual one), so the count is relative to it.
  function startTimers() {
    document.querySelectorAll(".timer[data-deadline]").forEach(function (el) {
      var deadline = Date.parse(el.dataset.deadline);
      var offset = Date.parse(el.dataset.now) - Date.now();
      function tick() {
        var left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
        var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
        el.textContent = (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0");
        if (left === 0) { el.classList.add("expired"); return; }
        window.setTimeout(tick, 1000);
      }
      tick();
    });
  }

  // A form control that submits its form when changed (e.g. the sort order).
  function autoSubmit() {
    document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit(); });
    });
  }

  // The task page: when the work frame (ExternalQuestion/HTMLQuestion) has been submitted through
  // externalSubmit, the confirmation page inside it posts a message; go where the task page says.
  function followSubmittedFrames() {
    var frame = document.querySelector("iframe.work-frame[data-after-submit]");
    if (!frame) { return; }
    window.addEventListener("message", function (event) {
      if (event.source !== frame.contentWindow) { return; }
      var data = event.data || {};
      if (data.type === "mturk-submitted" && data.assignmentId === frame.dataset.assignmentId) {
        var form = document.getElementById(frame.dataset.afterSubmit);
        if (form) { form.submit(); }
      }
    });
  }

  // Buttons that ask before they act (Return): <button data-confirm="...">.
  function confirmations() {
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (!window.confirm(el.dataset.confirm)) { event.preventDefault(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    startTimers(); autoSubmit(); followSubmittedFrames(); confirmations();
  });
})();
