/*
 * Kempelen's stand-in for MTurk's legacy helper script externalHIT_v1.js (written for Kempelen; the
 * functions keep the names and behaviour HIT pages relied on).
 *
 * HTMLQuestion pages loaded it from https://s3.amazonaws.com/mturk-public/externalHIT_v1.js; Kempelen
 * rewrites that address to this file. The frame URL carries assignmentId, hitId, workerId and
 * turkSubmitTo (a preview only assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE and hitId).
 */
(function (global) {
  "use strict";

  var PREVIEW = "ASSIGNMENT_ID_NOT_AVAILABLE";
  var PREVIEW_LABEL = "You must ACCEPT the HIT before you can submit the results.";

  // Offline there is no www.mturk.com: with no turkSubmitTo, submit to the server this file came from.
  var script = document.currentScript;
  var ownOrigin = script && script.src ? new URL(script.src, global.location.href).origin : "";
  var defaultHost = ownOrigin && ownOrigin !== "null" ? ownOrigin : "https://www.mturk.com";

  function escapeForPattern(text) {
    return String(text).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /* A query parameter of the page's URL, still URL-encoded (as the original returned it), or defaultValue. */
  function turkGetParam(name, defaultValue) {
    var match = new RegExp("[?&]" + escapeForPattern(name) + "=([^&#]*)").exec(global.location.href);
    return match === null ? defaultValue : match[1];
  }

  /* Form-style URL decoding: "+" is a space, %XX escapes are undone. */
  function decode(text) {
    var spaced = String(text).replace(/\+/g, " ");
    try {
      return decodeURIComponent(spaced);
    } catch (notUtf8) {
      return global.unescape(spaced);
    }
  }

  function stringStartsWith(text, prefix) {
    return String(text).slice(0, prefix.length) === prefix;
  }

  /* The worker site to post the answers to: turkSubmitTo when it is an http(s) or protocol-relative URL. */
  function turkGetSubmitToHost() {
    var host = decode(turkGetParam("turkSubmitTo", defaultHost));
    var allowed = ["https://", "http://", "//"].some(function (prefix) { return stringStartsWith(host, prefix); });
    return allowed ? host : defaultHost;
  }

  /*
   * Put the assignment id in #assignmentId, point the form (default id "mturk_form") at externalSubmit and,
   * in a preview, disable the submit button (default id "submitButton") with MTurk's explanation.
   */
  function turkSetAssignmentID(formName, buttonName) {
    var formId = formName == null ? "mturk_form" : formName;
    var buttonId = buttonName == null ? "submitButton" : buttonName;
    var assignmentId = turkGetParam("assignmentId", "");
    global.assignmentID = assignmentId;  // the original left this global behind; some pages read it
    var field = document.getElementById("assignmentId");
    if (field) {
      field.value = assignmentId;
    }
    if (assignmentId === PREVIEW) {
      var button = document.getElementById(buttonId);
      if (button) {
        button.disabled = true;
        if (button.tagName === "BUTTON") {
          button.textContent = PREVIEW_LABEL;
        } else {
          button.value = PREVIEW_LABEL;
        }
      }
    }
    var form = document.getElementById(formId);
    if (form) {
      form.action = turkGetSubmitToHost() + "/mturk/externalSubmit";
    }
  }

  global.turkGetParam = turkGetParam;
  global.decode = decode;
  global.stringStartsWith = stringStartsWith;
  global.turkGetSubmitToHost = turkGetSubmitToHost;
  global.turkSetAssignmentID = turkSetAssignmentID;

  // Some copies of the original ran turkSetAssignmentID on load; doing it again is harmless.
  global.addEventListener("load", function () {
    if (document.getElementById("mturk_form")) {
      turkSetAssignmentID();
    }
  });
})(window);
