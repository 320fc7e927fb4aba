// django-prose-editor writes its toolbar's tooltips, accessible names and menu
// entries in English without gettext ("bold", "heading 2", "Paragraph"). This
// module passes them through the admin's JavaScript catalogue (jsi18n, filled
// by locale/zh_Hans/LC_MESSAGES/djangojs.po) as the editor builds and updates
// its toolbar. Loaded with the editor (DJANGO_PROSE_EDITOR_EXTENSIONS in the
// settings); it exports nothing.
const gettext = window.gettext || ((text) => text)
const ATTRIBUTES = ["title", "aria-label"]
const TOOLBAR = ".prose-menubar, .prose-editor"

function translateElement(element) {
  // The text being edited is the author's, never translated (the menu's
  // picker borrows the ProseMirror class for its look, not contenteditable).
  if (element.closest("[contenteditable]")) return
  for (const name of ATTRIBUTES) {
    const value = element.getAttribute(name)
    if (value && gettext(value) !== value) element.setAttribute(name, gettext(value))
  }
  // Menu entries (<p>Paragraph</p>, <h2>Heading 2</h2>) hold only their text;
  // icon buttons hold a ligature name ("format_bold"), which has no entry.
  if (element.childElementCount === 0 && !element.classList.contains("material-icons")) {
    const text = element.textContent
    if (text && gettext(text) !== text) element.textContent = gettext(text)
  }
}

function translate(root) {
  if (!(root instanceof Element)) return
  if (root.closest(TOOLBAR)) translateElement(root)
  for (const element of root.querySelectorAll(`${TOOLBAR}, ${TOOLBAR} *`)) {
    translateElement(element)
  }
}

new MutationObserver((mutations) => {
  for (const mutation of mutations) {
    if (mutation.type === "attributes") translate(mutation.target)
    for (const node of mutation.addedNodes) {
      translate(node.nodeType === Node.TEXT_NODE ? node.parentElement : node)
    }
  }
}).observe(document.documentElement, {
  subtree: true,
  childList: true,
  attributes: true,
  attributeFilter: ATTRIBUTES,
})
translate(document.documentElement)
