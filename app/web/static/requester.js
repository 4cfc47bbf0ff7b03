// The requester site's only script: publish a batch a chunk at a time and move the progress bar.
// Without it the form still works: the server publishes the whole batch and then shows the page.
(function () {
  "use strict";
  var form = document.getElementById("publish-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var bar = document.getElementById(form.getAttribute("data-progress"));
    var count = document.getElementById(form.getAttribute("data-count"));
    var status = document.getElementById("publish-status");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    status.textContent = "Publishing…";
    function step() {
      var data = new FormData(form);
      data.append("chunk", "1");
      fetch(form.action, {method: "POST", body: data, credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (view) {
          if (view.Error) { throw new Error(view.Error.Message); }
          bar.value = view.Published;
          count.textContent = view.Published;
          status.textContent = "Published " + view.Published + " of " + view.Rows + " HITs.";
          if (view.Status === "Publishing") { step(); } else { window.location.reload(); }
        })
        .catch(function (error) {
          status.textContent = "Publishing stopped: " + error.message;
          button.disabled = false;
        });
    }
    step();
  });
})();
