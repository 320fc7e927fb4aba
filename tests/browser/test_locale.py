"""The rich-text editor speaks Chinese: its toolbar's tooltips and accessible
names, its menu entries and the labels of its link and figure dialogs, which
django-prose-editor builds in the browser (partly in English without gettext;
aidportal/kernel/static/kernel/editor_i18n.js and locale/zh_Hans/djangojs.po
translate them)."""

from tests.browser.conftest import DESKTOP
from tests.builders import EDITOR
from tests.english import english_words

TOOLBAR = ".field-body .prose-menubar"
SPOKEN = """(root) => [...root.querySelectorAll("*")].flatMap((element) => [
  element.getAttribute("title"),
  element.getAttribute("aria-label"),
  element.childElementCount || element.classList.contains("material-icons")
    ? null : element.textContent,
]).filter(Boolean)"""


def spoken(page, selector):
    """Every title, aria-label and text of the elements under ``selector``
    (icon buttons' ligature names, such as format_bold, left out)."""
    return [
        text
        for root in page.locator(selector).element_handles()
        for text in root.evaluate(SPOKEN)
    ]


def english_of(texts):
    return [text for text in texts if english_words(text)]


def test_the_editor_toolbar_and_dialogs_speak_chinese(
    open_page, staff, log_in, screenshot
):
    page = open_page(DESKTOP)
    log_in(page, staff(EDITOR, "bianji"))
    page.goto("/admin/articles/article/add/")
    page.locator(f"{TOOLBAR} button[data-name=bold]").wait_for()

    toolbar = spoken(page, TOOLBAR)
    assert english_of(toolbar) == []
    for chinese in ("加粗", "倾斜", "插入链接", "撤销", "重做", "插图", "引文"):
        assert chinese in toolbar
    bold = page.locator(f"{TOOLBAR} button[data-name=bold]")
    assert bold.get_attribute("title") == "加粗"
    assert bold.get_attribute("aria-label") == "加粗"

    # The block type menu: 正文段落 and the headings.
    page.locator(f"{TOOLBAR} .prose-menubar__selected").click()
    blocks = spoken(page, ".field-body .prose-menubar__dropdown")
    assert english_of(blocks) == []
    assert {"正文段落", "二级标题", "三级标题", "四级标题"} <= set(blocks)
    page.keyboard.press("Escape")

    # The link dialog, over a selected word.
    body = page.locator(".field-body .ProseMirror[contenteditable=true]")
    body.click()
    # What the author writes is never translated, even a toolbar's word.
    page.keyboard.type("bold")
    page.keyboard.press("Enter")
    page.keyboard.type("杭州市政府网")
    page.keyboard.press("Shift+Home")
    page.locator(f"{TOOLBAR} button[data-name=link]").click()
    dialog = page.locator("dialog.prose-editor-dialog[open]")
    assert english_of(spoken(page, "dialog.prose-editor-dialog[open]")) == []
    assert dialog.get_by_label("网址").is_visible()
    dialog.get_by_role("button", name="取消").click()
    dialog.wait_for(state="detached")

    # The figure dialog and the caption button of an inserted figure.
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.locator(f"{TOOLBAR} button[data-name=figure]").click()
    labels = spoken(page, "dialog.prose-editor-dialog[open]")
    screenshot(page, "editor-figure-dialog-chinese")
    assert english_of(labels) == []
    assert {"插入插图", "图片网址", "替代文字", "图片说明", "插入", "取消"} <= set(
        labels
    )
    dialog.get_by_label("图片网址").fill("/static/img/favicon.svg")
    dialog.get_by_label("替代文字").fill("标志")
    dialog.get_by_role("button", name="插入").click()
    dialog.wait_for(state="detached")
    page.locator(".field-body figure").first.click()
    floating = ".prose-menubar--floating"
    page.locator(floating).wait_for()
    assert english_of(spoken(page, floating)) == []
    assert page.locator(floating).inner_text() in {"添加图片说明", "删除图片说明"}
    assert body.locator("p").first.inner_text() == "bold"
