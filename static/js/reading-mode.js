/* 长者模式 / 无障碍: text size, high contrast and wider line spacing, kept in
   localStorage and applied as classes on <html>. Loaded (not deferred) in
   <head>, so the classes are set before the first paint; the toolbar's
   buttons are wired once the document is parsed. Pages stay the same for
   every visitor (page cache): the buttons' states are set here, never by the
   server. */
(function () {
  "use strict";
  var KEY = "aidportal-reading-mode";
  var SIZES = { normal: "", large: "text-large", xlarge: "text-xlarge" };
  var root = document.documentElement;

  function load() {
    var mode = { size: "normal", contrast: false, spacing: false };
    try {
      var stored = JSON.parse(window.localStorage.getItem(KEY) || "{}");
      if (Object.prototype.hasOwnProperty.call(SIZES, stored.size)) {
        mode.size = stored.size;
      }
      mode.contrast = stored.contrast === true;
      mode.spacing = stored.spacing === true;
    } catch (error) {
      /* Storage refused (private mode) or unreadable: the standard style. */
    }
    return mode;
  }

  function save(mode) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(mode));
    } catch (error) {
      /* Not kept; still applied to this page. */
    }
  }

  function apply(mode) {
    Object.keys(SIZES).forEach(function (size) {
      if (SIZES[size]) {
        root.classList.toggle(SIZES[size], mode.size === size);
      }
    });
    root.classList.toggle("contrast-high", mode.contrast);
    root.classList.toggle("spacing-wide", mode.spacing);
  }

  function showState(toolbar, mode) {
    toolbar.querySelectorAll("[data-text-size]").forEach(function (button) {
      button.setAttribute(
        "aria-pressed", String(button.dataset.textSize === mode.size));
    });
    toolbar.querySelectorAll("[data-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(mode[button.dataset.toggle]));
    });
  }

  function wire() {
    var toolbar = document.querySelector("[data-reading-mode]");
    if (!toolbar) {
      return;
    }
    var mode = load();
    showState(toolbar, mode);
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !toolbar.contains(button)) {
        return;
      }
      if (button.dataset.textSize) {
        mode.size = button.dataset.textSize;
      } else if (button.dataset.toggle) {
        mode[button.dataset.toggle] = !mode[button.dataset.toggle];
      } else {
        return;
      }
      apply(mode);
      showState(toolbar, mode);
      save(mode);
    });
    /* Another tab changed the mode: follow it. */
    window.addEventListener("storage", function (event) {
      if (event.key === KEY) {
        mode = load();
        apply(mode);
        showState(toolbar, mode);
      }
    });
  }

  root.classList.add("js");
  apply(load());
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
