/*
 * Staff forms in the admin (loaded on every admin page by
 * templates/admin/base_site.html; a static file because the CSP allows no
 * inline script).
 *
 * 1. Accessible names for the controls the admin leaves unnamed: the split
 *    date and time inputs, the cells of tabular inlines (galleries,
 *    assignments), the autocomplete boxes and the rich-text editor. Each gets
 *    the text of the label or column header staff see next to it.
 *    Autocomplete boxes' lists of choices hold list items only.
 * 2. A warning before leaving a change form with unsaved changes (only after
 *    staff typed or chose something, never on the form's own submit).
 * 3. A save that meets an expired session keeps what was typed: the form is
 *    kept in the tab's sessionStorage when it is sent; if the admin answers
 *    with its login page, the form comes back, filled in, after logging in.
 *    Only content forms (marked data-keeps-drafts by
 *    templates/admin/change_form.html) are kept, never a password field, and
 *    a draft is filled back only for the user who typed it (data-user on
 *    this script's tag); anyone else's login discards it. Chosen files and
 *    inline rows added on the page are not kept: the notices say so.
 */
(function () {
  "use strict";

  var DRAFT_PREFIX = "aidportal:draft:";
  var SKIPPED_FIELDS = ["csrfmiddlewaretoken"];
  var SKIPPED_TYPES = ["file", "submit", "button", "reset", "password"];
  // A formset's management form stays as the page renders it: rows added
  // before the save are not kept, so their count is not either.
  var MANAGEMENT_FIELD = /-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/;
  var SCRIPT = document.currentScript;

  // Who is logged in: empty on the login page.
  function currentUser() {
    return (SCRIPT && SCRIPT.dataset.user) || "";
  }

  function clean(text) {
    return (text || "").replace(/\s+/g, " ").replace(/[：:?？]\s*$/, "").trim();
  }

  function ensureId(element, prefix) {
    if (!element.id) {
      ensureId.counter = (ensureId.counter || 0) + 1;
      element.id = prefix + "-" + ensureId.counter;
    }
    return element.id;
  }

  // 1. Accessible names

  function labelOf(id) {
    return id ? document.querySelector('label[for="' + CSS.escape(id) + '"]') : null;
  }

  function hasName(control) {
    if (control.getAttribute("aria-label") || control.getAttribute("aria-labelledby")) {
      return true;
    }
    return Boolean(control.closest("label") || labelOf(control.id));
  }

  // The header of a tabular inline's column: <td class="field-alt"> sits
  // under <th class="column-alt">; the delete box under the last header.
  function columnHeader(cell) {
    var table = cell.closest("table");
    if (!table || !table.tHead) {
      return null;
    }
    var names = Array.prototype.filter.call(cell.classList, function (name) {
      return name.indexOf("field-") === 0;
    });
    if (names.length) {
      return table.tHead.querySelector("th.column-" + names[0].slice(6));
    }
    if (cell.classList.contains("delete")) {
      var headers = table.tHead.querySelectorAll("th");
      return headers[headers.length - 1];
    }
    return null;
  }

  function rowNumber(cell) {
    var row = cell.closest("tr");
    var rows = row.parentNode.querySelectorAll("tr.form-row");
    return Array.prototype.indexOf.call(rows, row) + 1;
  }

  // What a control is called: its row's label, with the date or time part
  // for a split date-time input, or its column header and row number in a
  // tabular inline.
  function nameFor(control) {
    var cell = control.closest("td");
    if (cell) {
      var header = columnHeader(cell);
      var number = rowNumber(cell);
      if (header && clean(header.textContent)) {
        return clean(header.textContent) + "（第" + number + "行）";
      }
    }
    var split = control.closest("p.datetime");
    if (split) {
      var row = split.closest(".form-row, .fieldBox");
      var label = row && row.querySelector("label");
      var part = control.previousSibling;
      var partText = part && part.nodeType === Node.TEXT_NODE ? clean(part.textContent) : "";
      return clean(label ? label.textContent : "") + (partText ? " " + partText : "");
    }
    return "";
  }

  // The element whose text names a select2 box: the label of the select it
  // stands for, or its column header in a tabular inline.
  function select2Source(container) {
    var select = container.previousElementSibling;
    if (!select || select.tagName !== "SELECT") {
      return null;
    }
    var cell = select.closest("td");
    return labelOf(select.id) || (cell && columnHeader(cell));
  }

  function nameSelect2(container) {
    // The "clear all" cross sits directly in the list of choices (axe: list)
    // and is a mouse-only shortcut; screen readers skip it.
    container.querySelectorAll(".select2-selection__clear").forEach(function (clear) {
      clear.setAttribute("aria-hidden", "true");
    });
    var source = select2Source(container);
    if (!source) {
      return;
    }
    var sourceId = ensureId(source, "admin-name");
    var box = container.querySelector(".select2-selection[role=combobox]");
    if (box && !box.dataset.named) {
      var own = box.getAttribute("aria-labelledby");
      box.setAttribute("aria-labelledby", own ? sourceId + " " + own : sourceId);
      box.dataset.named = "1";
    }
    // The search field of a multiple-choice box, and the read-only text
    // box that shows a single choice.
    container
      .querySelectorAll(".select2-search__field, .select2-selection__rendered[role=textbox]")
      .forEach(function (field) {
        if (!hasName(field)) {
          field.setAttribute("aria-labelledby", sourceId);
        }
      });
  }

  function nameEditor(editor) {
    var wrapper = editor.closest(".prose-editor");
    var textarea = wrapper && wrapper.querySelector("textarea");
    var label = textarea && labelOf(textarea.id);
    if (label && !editor.getAttribute("aria-labelledby")) {
      editor.setAttribute("aria-labelledby", ensureId(label, "admin-name"));
    }
  }

  // A phone shows a tabular inline's cells one under another, each headed
  // by its column's name (static/css/admin.css reads data-label).
  function labelCells(content) {
    content.querySelectorAll(".tabular td:not([data-label])").forEach(function (cell) {
      var header = columnHeader(cell);
      cell.dataset.label = header ? clean(header.textContent) : "";
    });
  }

  function nameControls() {
    var content = document.getElementById("content");
    if (!content) {
      return;
    }
    labelCells(content);
    content.querySelectorAll("input, select, textarea").forEach(function (control) {
      if (control.type === "hidden" || hasName(control)) {
        return;
      }
      var name = nameFor(control);
      if (name) {
        control.setAttribute("aria-label", name);
      }
    });
    content.querySelectorAll("span.select2").forEach(nameSelect2);
    content.querySelectorAll(".prose-editor .ProseMirror").forEach(nameEditor);
    // The open dropdown of a single-choice box is appended to the body.
    document.querySelectorAll(".select2-dropdown .select2-search__field").forEach(
      function (search) {
        if (!hasName(search)) {
          search.setAttribute("aria-label", "搜索");
        }
      },
    );
  }

  function watchNames() {
    var pending = false;
    nameControls();
    new MutationObserver(function () {
      if (!pending) {
        pending = true;
        window.requestAnimationFrame(function () {
          pending = false;
          nameControls();
        });
      }
    }).observe(document.body, { childList: true, subtree: true });
  }

  // 3. Drafts kept across an expired session

  function draftKey(path) {
    return DRAFT_PREFIX + path;
  }

  function readDraft(path) {
    try {
      return JSON.parse(window.sessionStorage.getItem(draftKey(path)));
    } catch (error) {
      return null;
    }
  }

  function writeDraft(path, draft) {
    try {
      window.sessionStorage.setItem(draftKey(path), JSON.stringify(draft));
    } catch (error) {
      // Storage full or disabled: the save goes on without a kept copy.
    }
  }

  function eachDraft(callback) {
    for (var index = window.sessionStorage.length - 1; index >= 0; index -= 1) {
      var key = window.sessionStorage.key(index);
      if (key && key.indexOf(DRAFT_PREFIX) === 0) {
        callback(key.slice(DRAFT_PREFIX.length));
      }
    }
  }

  // A password, or a box the browser would fill with one, is never stored.
  function isPassword(element) {
    var hint = (element.getAttribute("autocomplete") || "").toLowerCase();
    return element.type === "password" || hint.indexOf("password") !== -1;
  }

  function keptFields(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      var kind = element.type;
      if (
        !element.name ||
        SKIPPED_FIELDS.indexOf(element.name) !== -1 ||
        SKIPPED_TYPES.indexOf(kind) !== -1 ||
        isPassword(element) ||
        MANAGEMENT_FIELD.test(element.name) ||
        element.name.indexOf("__prefix__") !== -1
      ) {
        return;
      }
      if (kind === "checkbox" || kind === "radio") {
        fields.push({ name: element.name, value: element.value, checked: element.checked });
      } else if (element.tagName === "SELECT") {
        fields.push({
          name: element.name,
          options: Array.prototype.filter
            .call(element.options, function (option) {
              return option.selected;
            })
            .map(function (option) {
              return { value: option.value, text: option.text };
            }),
        });
      } else {
        fields.push({ name: element.name, value: element.value });
      }
    });
    return fields;
  }

  function restoreFields(form, fields) {
    fields.forEach(function (field) {
      var matches = form.querySelectorAll('[name="' + CSS.escape(field.name) + '"]');
      matches.forEach(function (element) {
        if (field.options) {
          var wanted = field.options.map(function (option) {
            return option.value;
          });
          Array.prototype.forEach.call(element.options, function (option) {
            option.selected = wanted.indexOf(option.value) !== -1;
          });
          field.options.forEach(function (kept) {
            var present = Array.prototype.some.call(element.options, function (option) {
              return option.value === kept.value;
            });
            if (!present) {
              // An autocomplete box renders only its chosen options.
              element.add(new Option(kept.text, kept.value, true, true));
            }
          });
        } else if ("checked" in field) {
          if (element.value === field.value) {
            element.checked = field.checked;
          }
        } else if (!isPassword(element) && element.type !== "file") {
          element.value = field.value;
        }
      });
    });
  }

  function notice(container, text) {
    var list = document.createElement("ul");
    list.className = "messagelist";
    list.setAttribute("role", "status");
    var item = document.createElement("li");
    item.className = "warning";
    item.textContent = text;
    list.appendChild(item);
    container.insertBefore(list, container.firstChild);
  }

  // The login page after a save: that save did not get through. The draft
  // of the page the login leads back to is to be restored there.
  function onLoginPage() {
    var next = document.querySelector("#login-form input[name=next]");
    if (!next || !next.value) {
      return;
    }
    var path = new URL(next.value, window.location.href).pathname;
    var draft = readDraft(path);
    if (draft && draft.state === "sent") {
      draft.state = "interrupted";
      writeDraft(path, draft);
      var content = document.getElementById("content-main") || document.getElementById("content");
      if (content) {
        notice(
          content,
          "登录已过期，内容没有保存。用同一账号重新登录后，刚才填写的文字和选择会自动填回表单；" +
            "选过的图片和文件、新添加的行不会保留，需要重新选择或添加。请核对后再次保存。",
        );
      }
    }
  }

  function changeForm() {
    if (!document.body.classList.contains("change-form")) {
      return null;
    }
    var form = document.querySelector("#content-main form");
    return form && form.querySelector(".submit-row") ? form : null;
  }

  function keepsDrafts(form) {
    return Boolean(form.querySelector("[data-keeps-drafts]"));
  }

  // 2. Unsaved changes

  function watchForm(form, restored) {
    var changed = restored;
    function mark(event) {
      if (event.isTrusted) {
        changed = true;
      }
    }
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    if (window.django && window.django.jQuery) {
      // Choices in an autocomplete box arrive as jQuery events.
      window.django.jQuery(form).on("select2:select select2:unselect", function () {
        changed = true;
      });
    }
    form.addEventListener("submit", function () {
      changed = false;
      if (keepsDrafts(form) && currentUser()) {
        writeDraft(window.location.pathname, {
          state: "sent",
          user: currentUser(),
          fields: keptFields(form),
        });
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (changed) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  function start() {
    var path = window.location.pathname;
    if (document.body.classList.contains("login")) {
      onLoginPage();
      return;
    }
    // Any other admin page answered the last save: the kept copies sent
    // from this tab are no longer needed, except one waiting to be restored
    // for the user who typed it. Another user's login discards it unread.
    var waiting = null;
    eachDraft(function (draftPath) {
      var draft = readDraft(draftPath);
      if (
        draftPath === path &&
        draft &&
        draft.state === "interrupted" &&
        draft.user &&
        draft.user === currentUser()
      ) {
        waiting = draft;
      }
      window.sessionStorage.removeItem(draftKey(draftPath));
    });
    var form = changeForm();
    if (!form) {
      return;
    }
    if (waiting && !keepsDrafts(form)) {
      waiting = null;
    }
    if (waiting) {
      restoreFields(form, waiting.fields);
      notice(
        document.getElementById("content-main"),
        "已填回登录过期前未保存的文字和选择；选过的图片和文件、新添加的行没有保留，" +
          "需要重新选择或添加。请核对后保存。",
      );
    }
    watchForm(form, Boolean(waiting));
  }

  // Deferred: runs once the page is parsed and before the rich-text editor
  // (a module script further down) reads its textarea, so a restored body
  // shows up in the editor.
  start();
  watchNames();
})();
