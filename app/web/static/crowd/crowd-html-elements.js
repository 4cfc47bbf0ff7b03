/*
 * Kempelen's own implementation of the Crowd HTML Elements that MTurk HITs load from
 * https://assets.crowd.aws/crowd-html-elements.js (Kempelen rewrites that address to this file).
 *
 * Written for Kempelen from the elements' documented attributes and outputs; plain custom elements,
 * no framework, no shadow DOM (the page's own CSS and scripts see everything). docs/compatibility.md
 * lists which elements exist here and which do not.
 *
 * <crowd-form> posts to turkSubmitTo + "/mturk/externalSubmit" (the frame URL's parameters) two fields:
 * assignmentId, and taskAnswers = a JSON array holding one object of the answers, keyed by name:
 *   crowd-input, crowd-text-area      "name": "text" (left out when empty)
 *   crowd-checkbox, crowd-radio-button,
 *   crowd-toggle-button               "name": {"<value, default on>": true|false}
 *   crowd-slider                      "name": 42
 *   crowd-classifier                  "name": {"label": "category"}
 *   crowd-image-classifier            "name": {"label": "category", "workerComment": "..."}
 *   plain <input>, <select>, <textarea> with a name: their value, as a browser would send it
 * Object keys are written in sorted order; answer-format="flatten-objects" writes nested objects as
 * dotted keys ("name.label").
 */
(function () {
  "use strict";

  if (window.customElements === undefined) {
    return;  // a browser without custom elements shows the page as plain HTML
  }

  var PREVIEW = "ASSIGNMENT_ID_NOT_AVAILABLE";
  var PREVIEW_LABEL = "You must ACCEPT the HIT before you can submit the results.";
  var RESERVED = ["assignmentId", "hitId", "workerId", "turkSubmitTo"];
  var script = document.currentScript;
  var scriptUrl = script && script.src ? new URL(script.src, location.href) : null;
  var counter = 0;

  // --- small helpers ----------------------------------------------------------------------------------

  function uid(prefix) {
    counter += 1;
    return "crowd-" + prefix + "-" + counter;
  }

  function make(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      var value = attributes[key];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (key === "text") {
        node.textContent = value;
      } else {
        node.setAttribute(key, value === true ? "" : String(value));
      }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function takeChildren(element) {
    var fragment = document.createDocumentFragment();
    while (element.firstChild) {
      fragment.appendChild(element.firstChild);
    }
    return fragment;
  }

  function flag(element, name) {
    var value = element.getAttribute(name);
    return value !== null && value !== "false";
  }

  function define(name, constructor) {
    if (!customElements.get(name)) {
      customElements.define(name, constructor);
    }
  }

  /* The frame URL's parameter, decoded as MTurk's helpers decoded it ("+" is a space). */
  function parameter(name) {
    var match = new RegExp("[?&]" + name + "=([^&#]*)").exec(location.href);
    if (match === null) {
      return null;
    }
    var spaced = match[1].replace(/\+/g, " ");
    try {
      return decodeURIComponent(spaced);
    } catch (notUtf8) {
      return window.unescape(spaced);
    }
  }

  function submitHost() {
    var host = parameter("turkSubmitTo");
    if (host && /^(https?:)?\/\//.test(host)) {
      return host.replace(/\/+$/, "");
    }
    return scriptUrl ? scriptUrl.origin : location.origin;  // offline: the server this file came from
  }

  function isPreview() {
    return parameter("assignmentId") === PREVIEW;
  }

  /* categories="['a', 'b']" (as AWS's own examples write it) or a JSON array. */
  function parseList(text) {
    if (!text) {
      return [];
    }
    try {
      var parsed = JSON.parse(text);
      return Array.isArray(parsed) ? parsed.map(String) : [];
    } catch (notJson) {
      var found = [];
      var pattern = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g;
      var match;
      while ((match = pattern.exec(text)) !== null) {
        found.push((match[1] !== undefined ? match[1] : match[2]).replace(/\\(.)/g, "$1"));
      }
      return found;
    }
  }

  function loadStylesheet() {
    if (!scriptUrl || document.querySelector("link[data-crowd-elements]")) {
      return;
    }
    var href = new URL("crowd-html-elements.css", scriptUrl).href;
    document.head.appendChild(make("link", {rel: "stylesheet", href: href, "data-crowd-elements": true}));
  }

  /*
   * Every element renders once, when it is connected and the page has been parsed (a parser-created
   * element is connected before its children exist). Answer elements add crowdAnswer(answers) and,
   * where they can be required, crowdProblem() -> {focus, message} or null.
   */
  class Base extends HTMLElement {
    connectedCallback() {
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", () => this.ensureRendered(), {once: true});
      } else {
        this.ensureRendered();
      }
    }

    ensureRendered() {
      if (!this._rendered) {
        this._rendered = true;
        this.render();
      }
    }

    render() {}
  }

  function element(name, methods, properties) {
    var Element = class extends Base {};
    Object.keys(methods).forEach(function (key) {
      Element.prototype[key] = methods[key];
    });
    Object.keys(properties || {}).forEach(function (key) {
      Object.defineProperty(Element.prototype, key, properties[key]);
    });
    define(name, Element);
    return Element;
  }

  function nativeProperty(selector, property) {
    return {
      get: function () {
        var inner = this.querySelector(selector);
        if (inner) {
          return inner[property];
        }
        return property === "checked" ? flag(this, "checked") : (this.getAttribute("value") || "");
      },
      set: function (value) {
        var inner = this.querySelector(selector);
        if (inner) {
          inner[property] = value;
        } else if (property === "checked") {
          this.toggleAttribute("checked", Boolean(value));
        } else {
          this.setAttribute("value", value);
        }
      }
    };
  }

  // --- text fields -----------------------------------------------------------------------------------

  function textField(host, tag) {
    var id = uid(tag);
    var label = host.getAttribute("label") || "";
    var field = make(tag, {
      id: id, "class": "crowd-control", "data-crowd-inner": true,
      placeholder: host.getAttribute("placeholder"),
      required: flag(host, "required"), disabled: flag(host, "disabled"),
      maxlength: host.getAttribute("max-length"), minlength: host.getAttribute("min-length"),
      rows: tag === "textarea" ? host.getAttribute("rows") || 3 : null,
      type: tag === "input" ? host.getAttribute("type") || "text" : null,
      "aria-label": label ? null : host.getAttribute("placeholder") || host.getAttribute("name")
    });
    field.value = host.getAttribute("value") || "";
    host.textContent = "";
    if (label) {
      host.appendChild(make("label", {"for": id, "class": "crowd-label", text: label}));
    }
    host.appendChild(field);
    var allowed = host.getAttribute("allowed-pattern");
    if (allowed && flag(host, "auto-validate")) {
      var character = new RegExp(allowed);
      field.addEventListener("input", function () {
        field.value = field.value.split("").filter(function (c) { return character.test(c); }).join("");
      });
    }
    if (flag(host, "char-counter")) {
      var count = make("span", {"class": "crowd-counter", "aria-live": "polite"});
      var update = function () {
        var limit = host.getAttribute("max-length");
        count.textContent = field.value.length + (limit ? " / " + limit : "");
      };
      field.addEventListener("input", update);
      update();
      host.appendChild(count);
    }
    if (flag(host, "auto-focus")) {
      setTimeout(function () { field.focus(); }, 0);
    }
  }

  var textMethods = {
    crowdAnswer: function (answers) {
      var name = this.getAttribute("name");
      if (name && this.value !== "" && !flag(this, "disabled")) {
        answers[name] = this.value;
      }
    },
    crowdProblem: function () {
      var field = this.querySelector("[data-crowd-inner]");
      if (field && !field.checkValidity()) {
        return {focus: field, message: this.getAttribute("error-message") || field.validationMessage};
      }
      return null;
    }
  };

  element("crowd-input", Object.assign({
    render: function () { textField(this, "input"); }
  }, textMethods), {value: nativeProperty("[data-crowd-inner]", "value")});

  element("crowd-text-area", Object.assign({
    render: function () { textField(this, "textarea"); }
  }, textMethods), {value: nativeProperty("[data-crowd-inner]", "value")});

  // --- checkboxes, radio buttons, toggles ------------------------------------------------------------

  function choice(host, type, groupName) {
    var id = uid(type);
    var content = takeChildren(host);
    var input = make("input", {
      type: type, id: id, name: groupName, "data-crowd-inner": true,
      checked: flag(host, "checked"), disabled: flag(host, "disabled"),
      required: type === "checkbox" && flag(host, "required")
    });
    var label = make("label", {"for": id, "class": "crowd-choice-label"});
    label.appendChild(content);
    if (!label.textContent.trim() && !label.querySelector("img")) {
      label.textContent = host.getAttribute("value") || host.getAttribute("name") || "";
    }
    host.appendChild(input);
    host.appendChild(label);
  }

  function booleanAnswer(host, answers, checked) {
    var name = host.getAttribute("name");
    if (!name) {
      return;
    }
    var holder = answers[name] !== null && typeof answers[name] === "object" ? answers[name] : {};
    holder[host.getAttribute("value") || "on"] = Boolean(checked);
    answers[name] = holder;
  }

  element("crowd-checkbox", {
    render: function () { choice(this, "checkbox", null); },
    crowdAnswer: function (answers) { booleanAnswer(this, answers, this.checked); },
    crowdProblem: function () {
      var input = this.querySelector("[data-crowd-inner]");
      return input && !input.checkValidity() ? {focus: input, message: input.validationMessage} : null;
    }
  }, {checked: nativeProperty("[data-crowd-inner]", "checked")});

  element("crowd-radio-group", {
    render: function () {
      this.setAttribute("role", "radiogroup");
      this._group = uid("radio-group");  // one native name: exclusive, arrow keys move between buttons
    },
    crowdProblem: function () {
      if (!flag(this, "required") || this.querySelector("input[type=radio]:checked")) {
        return null;
      }
      return {focus: this.querySelector("input[type=radio]"), message: "Please choose one of these options."};
    }
  });

  element("crowd-radio-button", {
    render: function () {
      var group = this.closest("crowd-radio-group");
      if (group && group.ensureRendered) {
        group.ensureRendered();
      }
      choice(this, "radio", group ? group._group : uid("radio"));
    },
    crowdAnswer: function (answers) { booleanAnswer(this, answers, this.checked); }
  }, {checked: nativeProperty("[data-crowd-inner]", "checked")});

  element("crowd-toggle-button", {
    render: function () {
      var host = this;
      var label = host.textContent.trim() || host.getAttribute("value") || host.getAttribute("name") || "Toggle";
      var button = make("button", {
        type: "button", role: "switch", "class": "crowd-toggle", "data-crowd-inner": true,
        "aria-checked": flag(host, "checked") ? "true" : "false", disabled: flag(host, "disabled")
      }, [make("span", {"class": "crowd-toggle-track", "aria-hidden": "true"}), make("span", {text: label})]);
      host.textContent = "";
      host.appendChild(button);
      button.addEventListener("click", function () {
        host.checked = !host.checked;
        host.dispatchEvent(new Event("change", {bubbles: true}));
      });
    },
    crowdAnswer: function (answers) { booleanAnswer(this, answers, this.checked); },
    crowdProblem: function () {
      if (flag(this, "required") && !this.checked) {
        return {focus: this.querySelector("button"), message: "Please switch this on to continue."};
      }
      return null;
    }
  }, {
    checked: {
      get: function () {
        var button = this.querySelector("[data-crowd-inner]");
        return button ? button.getAttribute("aria-checked") === "true" : flag(this, "checked");
      },
      set: function (value) {
        var button = this.querySelector("[data-crowd-inner]");
        if (button) {
          button.setAttribute("aria-checked", value ? "true" : "false");
        }
        this.toggleAttribute("checked", Boolean(value));
      }
    }
  });

  // --- slider ----------------------------------------------------------------------------------------

  element("crowd-slider", {
    render: function () {
      var host = this;
      var id = uid("slider");
      var min = host.getAttribute("min") || "0";
      var max = host.getAttribute("max") || "100";
      var label = host.getAttribute("label") || host.textContent.trim();
      var range = make("input", {
        type: "range", id: id, min: min, max: max, step: host.getAttribute("step") || "1",
        disabled: flag(host, "disabled"), "data-crowd-inner": true, "class": "crowd-range",
        "aria-label": label ? null : host.getAttribute("name")
      });
      if (host.getAttribute("value") !== null) {
        range.value = host.getAttribute("value");
      }
      var shown = make("output", {"for": id, "class": "crowd-slider-value", text: range.value});
      host.textContent = "";
      if (label) {
        host.appendChild(make("label", {"for": id, "class": "crowd-label", text: label}));
      }
      var row = make("div", {"class": "crowd-slider-row"}, [make("span", {"class": "crowd-slider-end", text: min}),
        range, make("span", {"class": "crowd-slider-end", text: max}), shown]);
      host.appendChild(row);
      var number = null;
      if (flag(host, "editable")) {
        number = make("input", {type: "number", min: min, max: max, step: range.step, "class": "crowd-control",
                                "aria-label": (label || host.getAttribute("name") || "Value") + " (number)"});
        number.value = range.value;
        number.addEventListener("input", function () {
          range.value = number.value;
          shown.textContent = range.value;
        });
        row.appendChild(number);
      }
      range.addEventListener("input", function () {
        shown.textContent = range.value;
        if (number) {
          number.value = range.value;
        }
      });
    },
    crowdAnswer: function (answers) {
      var name = this.getAttribute("name");
      if (name && !flag(this, "disabled")) {
        answers[name] = Number(this.value);
      }
    }
  }, {value: nativeProperty("[data-crowd-inner]", "value")});

  // --- buttons ---------------------------------------------------------------------------------------

  element("crowd-button", {
    render: function () {
      var host = this;
      var content = takeChildren(host);
      var href = host.getAttribute("href");
      var variant = host.getAttribute("variant") || (host.getAttribute("form-action") === "submit" ? "primary" : "normal");
      var control = href
        ? make("a", {href: href, target: host.getAttribute("target"), "class": "crowd-button crowd-button-" + variant})
        : make("button", {type: "button", "class": "crowd-button crowd-button-" + variant, "data-crowd-inner": true,
                          disabled: flag(host, "disabled") || flag(host, "loading"), "aria-busy": flag(host, "loading") ? "true" : null});
      var iconUrl = host.getAttribute("icon-url");
      if (iconUrl) {
        control.appendChild(make("img", {src: iconUrl, alt: "", "class": "crowd-button-icon"}));
      }
      control.appendChild(content);
      if (!control.textContent.trim() && !control.querySelector("img")) {
        control.appendChild(document.createTextNode(host.getAttribute("form-action") === "submit" ? "Submit"
          : host.getAttribute("icon") || "Button"));
      }
      host.appendChild(control);
      control.addEventListener("click", function (event) {
        var form = host.closest("crowd-form");
        var action = host.getAttribute("form-action");
        if (form && action === "submit") {
          event.preventDefault();
          form.submit();
        } else if (form && action === "reset") {
          event.preventDefault();
          form.reset();
        }
      });
    }
  }, {
    disabled: {
      get: function () { return flag(this, "disabled"); },
      set: function (value) {
        this.toggleAttribute("disabled", Boolean(value));
        var inner = this.querySelector("[data-crowd-inner]");
        if (inner) {
          inner.disabled = Boolean(value);
        }
      }
    }
  });

  // --- instructions and alerts -----------------------------------------------------------------------

  function disclosure(host, text, asButton, panel) {
    var id = uid("panel");
    panel.id = id;
    panel.hidden = true;
    var trigger = make("button", {type: "button", "aria-expanded": "false", "aria-controls": id,
                                  "class": asButton ? "crowd-button crowd-button-normal" : "crowd-link", text: text});
    trigger.addEventListener("click", function () {
      var open = trigger.getAttribute("aria-expanded") !== "true";
      trigger.setAttribute("aria-expanded", open ? "true" : "false");
      panel.hidden = !open;
    });
    host.appendChild(trigger);
    host.appendChild(panel);
    return trigger;
  }

  function section(title, nodes) {
    var part = make("section", {"class": "crowd-instructions-section"}, [make("h3", {text: title})]);
    nodes.forEach(function (node) { part.appendChild(node); });
    return part;
  }

  element("crowd-instructions", {
    render: function () {
      var host = this;
      var pick = function (tag) { return Array.prototype.slice.call(host.querySelectorAll(tag)); };
      var summary = pick("short-summary");
      var detailed = pick("detailed-instructions");
      var examples = pick("positive-example").concat(pick("negative-example"));
      pick("positive-example").forEach(function (node) { node.setAttribute("data-label", "Good example"); });
      pick("negative-example").forEach(function (node) { node.setAttribute("data-label", "Bad example"); });
      var panel = make("div", {"class": "crowd-instructions-panel", role: "region", "aria-label": "Instructions"});
      if (summary.length) { panel.appendChild(section("Summary", summary)); }
      if (detailed.length) { panel.appendChild(section("Detailed Instructions", detailed)); }
      if (examples.length) { panel.appendChild(section("Examples", examples)); }
      host.textContent = "";
      disclosure(host, host.getAttribute("link-text") || "Click for instructions",
                 host.getAttribute("link-type") === "button", panel);
    }
  });

  ["short-summary", "detailed-instructions", "positive-example", "negative-example", "short-instructions",
   "full-instructions", "classification-target", "worker-comment"].forEach(function (name) {
    element(name, {});
  });

  element("crowd-alert", {
    render: function () {
      var host = this;
      var type = host.getAttribute("type") || "info";
      host.setAttribute("role", type === "error" || type === "warning" ? "alert" : "status");
      host.classList.add("crowd-alert-" + type);
      if (flag(host, "dismissible")) {
        var close = make("button", {type: "button", "class": "crowd-alert-close", "aria-label": "Dismiss", text: "\u00d7"});
        close.addEventListener("click", function () { host.hidden = true; });
        host.appendChild(close);
      }
    }
  });

  // --- classifiers -----------------------------------------------------------------------------------

  function classifier(host, target) {
    var name = host.getAttribute("name") || "";
    var header = host.getAttribute("header") || "";
    var short = host.querySelector("short-instructions");
    var full = host.querySelector("full-instructions");
    var comment = host.querySelector("worker-comment");
    var content = host.querySelector("classification-target");
    host.textContent = "";
    var legendId = uid("classifier-header");
    var layout = make("div", {"class": "crowd-classifier-layout"});
    var side = make("div", {"class": "crowd-classifier-side"});
    var main = make("div", {"class": "crowd-classifier-main"});
    if (short) {
      side.appendChild(section("Instructions", [short]));
    }
    if (full) {
      disclosure(side, full.getAttribute("header") || "View full instructions", false,
                 make("div", {"class": "crowd-instructions-panel"}, [full]));
    }
    if (header) {
      main.appendChild(make("h2", {id: legendId, "class": "crowd-classifier-header", text: header}));
    }
    if (target) {
      main.appendChild(target);
    } else if (content) {
      main.appendChild(content);
    }
    var group = make("fieldset", {"class": "crowd-categories"},
                     [make("legend", {"class": "crowd-visually-hidden", text: header || "Categories"})]);
    var groupName = uid("category");
    parseList(host.getAttribute("categories")).forEach(function (category) {
      var id = uid("category");
      group.appendChild(make("div", {"class": "crowd-category"}, [
        make("input", {type: "radio", id: id, name: groupName, value: category, "data-crowd-inner": true}),
        make("label", {"for": id, text: category})]));
    });
    main.appendChild(group);
    if (comment) {
      var commentId = uid("comment");
      var area = make("textarea", {id: commentId, rows: 3, "class": "crowd-control crowd-worker-comment",
                                   placeholder: comment.getAttribute("placeholder"), "data-crowd-inner": true});
      var body = make("div", {"class": "crowd-instructions-panel"}, [
        make("label", {"for": commentId, "class": "crowd-label", text: comment.getAttribute("header") || "Add a comment"}),
        make("p", {text: comment.textContent.trim()}), area]);
      disclosure(main, comment.getAttribute("link-text") || "Add a comment", false, body);
    }
    layout.appendChild(side);
    layout.appendChild(main);
    host.appendChild(layout);
    host._name = name;
  }

  var classifierMethods = {
    crowdAnswer: function (answers) {
      var chosen = this.querySelector(".crowd-categories input:checked");
      var name = this.getAttribute("name");
      if (!name || !chosen) {
        return;
      }
      var answer = {label: chosen.value};
      var comment = this.querySelector(".crowd-worker-comment");
      if (comment && comment.value.trim() !== "") {
        answer.workerComment = comment.value;
      }
      answers[name] = answer;
    },
    crowdProblem: function () {
      if (this.querySelector(".crowd-categories input:checked")) {
        return null;
      }
      return {focus: this.querySelector(".crowd-categories input"), message: "Please choose a category."};
    }
  };

  element("crowd-classifier", Object.assign({
    render: function () { classifier(this, null); }
  }, classifierMethods));

  element("crowd-image-classifier", Object.assign({
    render: function () {
      var src = this.getAttribute("src");
      classifier(this, src ? make("img", {src: src, alt: this.getAttribute("header") || "The image to classify",
                                         "class": "crowd-classifier-image"}) : null);
    }
  }, classifierMethods));

  // --- the form --------------------------------------------------------------------------------------

  function sortedKeys(value) {
    if (Array.isArray(value)) {
      return value.map(sortedKeys);
    }
    if (value !== null && typeof value === "object") {
      var sorted = {};
      Object.keys(value).sort().forEach(function (key) { sorted[key] = sortedKeys(value[key]); });
      return sorted;
    }
    return value;
  }

  function flatten(value, prefix, into) {
    Object.keys(value).forEach(function (key) {
      var item = value[key];
      var path = prefix ? prefix + "." + key : key;
      if (item !== null && typeof item === "object" && !Array.isArray(item)) {
        flatten(item, path, into);
      } else {
        into[path] = item;
      }
    });
    return into;
  }

  /* A plain form control inside crowd-form, read as a browser would submit it. */
  function nativeAnswer(control, answers) {
    var name = control.getAttribute("name");
    var type = (control.getAttribute("type") || "").toLowerCase();
    if (!name || control.disabled || RESERVED.indexOf(name) >= 0
        || ["submit", "button", "reset", "image", "file"].indexOf(type) >= 0) {
      return;
    }
    var values;
    if (control.tagName === "SELECT") {
      values = Array.prototype.filter.call(control.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
      if (!control.multiple) {
        values = values.slice(0, 1);
      }
    } else if (type === "checkbox" || type === "radio") {
      values = control.checked ? [control.value] : [];
    } else {
      values = [control.value];
    }
    values.forEach(function (value) {
      if (!(name in answers)) {
        answers[name] = control.multiple ? [value] : value;
      } else {
        answers[name] = [].concat(answers[name], value);  // a name used twice (checkbox groups): a list
      }
    });
  }

  element("crowd-form", {
    render: function () {
      var host = this;
      var hasSubmit = host.querySelector("crowd-button[form-action=submit], button[type=submit], input[type=submit]");
      if (!hasSubmit) {
        host.appendChild(make("crowd-button", {"form-action": "submit", variant: "primary", text: "Submit"}));
      }
      host._errors = make("div", {"class": "crowd-form-errors", role: "alert"});
      host.appendChild(host._errors);
      // plain submit buttons have no <form> of their own here: they submit the crowd-form
      host.addEventListener("click", function (event) {
        var button = event.target.closest("button, input[type=submit]");
        if (button && host.contains(button) && !button.closest("form") && !button.hasAttribute("data-crowd-inner")
            && (button.type || "").toLowerCase() === "submit" && !button.closest("crowd-button")) {
          event.preventDefault();
          host.submit();
        }
      });
      if (isPreview()) {
        // buttons rendered later (crowd-button upgrades after this) are disabled once the page settles
        setTimeout(function () { host._previewButtons(); }, 0);
      }
    },
    _previewButtons: function () {
      this.querySelectorAll("crowd-button[form-action=submit]").forEach(function (button) {
        button.disabled = true;
        var inner = button.querySelector("[data-crowd-inner]");
        if (inner) {
          inner.textContent = PREVIEW_LABEL;
        }
      });
      this.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    },
    /* The answers object the form would post (before JSON encoding). */
    serialize: function () {
      var answers = {};
      var walker = this.querySelectorAll("*");
      Array.prototype.forEach.call(walker, function (node) {
        if (typeof node.crowdAnswer === "function") {
          node.crowdAnswer(answers);
        } else if (/^(INPUT|SELECT|TEXTAREA)$/.test(node.tagName) && !node.hasAttribute("data-crowd-inner")
                   && !node.closest("[data-crowd-post]")) {
          nativeAnswer(node, answers);
        }
      });
      if (this.getAttribute("answer-format") === "flatten-objects") {
        answers = flatten(answers, "", {});
      }
      return sortedKeys(answers);
    },
    _problems: function () {
      var problems = [];
      this.querySelectorAll("*").forEach(function (node) {
        var problem = typeof node.crowdProblem === "function" ? node.crowdProblem() : null;
        if (!problem && /^(INPUT|SELECT|TEXTAREA)$/.test(node.tagName) && !node.hasAttribute("data-crowd-inner")
            && !node.checkValidity()) {
          problem = {focus: node, message: node.validationMessage};
        }
        if (problem) {
          problems.push(problem);
        }
      });
      return problems;
    },
    reset: function () {
      this.querySelectorAll("input, textarea, select").forEach(function (control) {
        if (control.type === "checkbox" || control.type === "radio") {
          control.checked = control.defaultChecked;
        } else if (control.tagName === "SELECT") {
          Array.prototype.forEach.call(control.options, function (o) { o.selected = o.defaultSelected; });
        } else {
          control.value = control.defaultValue;
        }
      });
    },
    /* Check, let the page's submit listeners veto (preventDefault), then post to externalSubmit. */
    submit: function () {
      this.ensureRendered();
      var assignmentId = parameter("assignmentId") || "";
      this._errors.textContent = "";
      if (assignmentId === PREVIEW) {
        this._errors.textContent = PREVIEW_LABEL;
        return;
      }
      var problems = this._problems();
      if (problems.length) {
        this._errors.textContent = problems[0].message;
        if (problems[0].focus) {
          problems[0].focus.focus();
        }
        return;
      }
      var event = new Event("submit", {cancelable: true, bubbles: false});
      if (!this.dispatchEvent(event)) {
        return;
      }
      var post = make("form", {method: "post", action: submitHost() + "/mturk/externalSubmit", hidden: true,
                               "data-crowd-post": true}, [
        make("input", {type: "hidden", name: "assignmentId", value: assignmentId}),
        make("input", {type: "hidden", name: "taskAnswers", value: JSON.stringify([this.serialize()])})]);
      this.appendChild(post);
      HTMLFormElement.prototype.submit.call(post);
    }
  });

  // --- elements this file does not implement ---------------------------------------------------------

  function flagUnknown() {
    document.querySelectorAll("*").forEach(function (node) {
      var tag = node.tagName.toLowerCase();
      if (tag.indexOf("crowd-") === 0 && !customElements.get(tag) && !node._flagged) {
        node._flagged = true;
        node.insertBefore(make("p", {"class": "crowd-unsupported", role: "note",
          text: "This task uses <" + tag + ">, which this server's Crowd HTML Elements do not provide; "
                + "it cannot be answered here."}), node.firstChild);
      }
    });
  }

  loadStylesheet();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", flagUnknown);
  } else {
    flagUnknown();
  }
})();
