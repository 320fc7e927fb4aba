// The picker window of the editor's figure dialog: hands the chosen picture
// (its URL, the row it came from, its alternative text and caption) back to
// the dialog through the CKEditor-style callback django-prose-editor's
// figure extension installs on the window that opened this one.
;(() => {
  const funcNum = new URLSearchParams(window.location.search).get(
    "CKEditorFuncNum",
  )
  const dialog = window.opener?.CKEDITOR?.tools

  function pick(element) {
    if (!dialog || funcNum === null) return false
    dialog.callFunction(funcNum, element.dataset.url, {
      id: element.dataset.reference,
      alternative_text: element.dataset.alt,
      caption: element.dataset.caption,
    })
    window.close()
    return true
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll("[data-pick]")) {
      button.addEventListener("click", () => pick(button))
    }
    const uploaded = document.querySelector("[data-picked]")
    if (uploaded && !pick(uploaded)) {
      uploaded.lastChild.textContent = "已上传。请回到编辑页，从图片库中选用。"
    }
  })
})()
