// Shown inside a work frame after /mturk/externalSubmit took the answers: tell the worker site's task page
// (the parent) so it can move on. A page opened on its own has no parent and just shows the confirmation.
(function () {
  "use strict";
  var done = document.getElementById("submitted");
  if (done && window.parent !== window) {
    window.parent.postMessage({type: "mturk-submitted", assignmentId: done.dataset.assignmentId}, "*");
  }
})();
