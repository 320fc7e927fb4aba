"""An editor writes an article in the admin's rich-text editor and previews
it but cannot publish it; a publisher publishes it, edits it and reverts it
to its first version from the history."""

import io
import re

from PIL import Image

from articles.models import Article
from tests.browser.conftest import DESKTOP

TITLE = "援疆医生的一天：从清晨门诊到深夜急诊"
LINK = "https://www.hangzhou.gov.cn/"
FIGURE_CAPTION = "门诊大厅里排队候诊的群众。"
COVER_CAPTION = "援疆医生在阿克苏市人民医院查房。"
EDITOR = ".field-body .ProseMirror[contenteditable=true]"


def jpeg(size=(1200, 800), colour=(40, 90, 140)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def menu(page, name):
    page.locator(f".field-body .prose-menubar button[data-name={name}]").click()


def dialog_submit(page, **values):
    dialog = page.locator("dialog.prose-editor-dialog[open]")
    for name, value in values.items():
        dialog.locator(f"input[name={name}]").fill(value)
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="detached")


def write_body(page, picture_url):
    """A heading, a paragraph with bold text and a link, and a figure with a
    caption, through the editor's menu bar and its dialogs."""
    page.locator(EDITOR).click()
    page.keyboard.type("清晨七点的门诊")
    page.locator(".field-body .prose-menubar__selected").click()
    page.locator(".field-body button[data-name=heading2]").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("阿克苏市人民医院的门诊七点开诊，")
    menu(page, "bold")
    page.keyboard.type("援疆专家号")
    menu(page, "bold")
    page.keyboard.type("一早就挂满了。详见杭州市政府网")
    for _ in "杭州市政府网":
        page.keyboard.press("Shift+ArrowLeft")
    menu(page, "link")
    dialog_submit(page, href=LINK)
    link = page.locator(EDITOR).get_by_role("link", name="杭州市政府网")
    link.wait_for()
    # The dialog leaves the link selected and the focus outside the editor:
    # give the editor the focus back (it restores its own selection), then
    # collapse the selection to its end, the end of the line, by keyboard.
    page.locator(EDITOR).focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("getSelection().isCollapsed")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    # The link is still whole: the Enter went after it, not over it.
    link.wait_for()
    menu(page, "figure")
    dialog_submit(
        page,
        imageUrl=picture_url,
        altText="门诊大厅候诊的群众",
        caption=FIGURE_CAPTION,
    )


def submit(page, button):
    """Click a submit button and wait for the page it leads to, which must
    carry a success message."""
    with page.expect_navigation():
        page.locator(button).click()
    page.locator(".messagelist .success").wait_for()
    return page.locator(".messagelist").inner_text()


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def test_editor_drafts_and_publisher_publishes_then_reverts(
    demo, staff, open_page, log_in, screenshot
):
    editor = staff("编辑", "bianji")
    publisher = staff("发布", "fabu")
    picture_url = Article.objects.exclude(cover="").first().cover.url

    # The editor writes a draft with a cover and a rich-text body.
    page = open_page(DESKTOP)
    log_in(page, editor)
    page.locator("tr.model-article").get_by_role("link", name="增加").click()
    page.wait_for_url("**/admin/articles/article/add/")
    page.select_option("#id_channel", label="前沿动态")
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", "一位杭州援疆医生在阿克苏的一天。")
    write_body(page, picture_url)
    page.set_input_files(
        "#id_cover",
        files=[{"name": "cover.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}],
    )
    page.fill("#id_cover_alt", "医生查房")
    page.fill("#id_cover_caption", COVER_CAPTION)
    page.fill("#id_source", "杭州市援疆指挥部")
    page.fill("#id_author", "沈立群")
    page.fill("#id_editor", "陈晓雯")
    # No status field for an editor: a new article is a draft.
    assert page.locator("select#id_status").count() == 0
    submit(page, "input[name=_continue]")
    assert re.search(r"/admin/articles/article/\d+/change/$", page.url)
    article = Article.objects.get(title=TITLE)
    assert article.status == Article.Status.DRAFT
    assert article.created_by == editor
    assert "<h2>清晨七点的门诊</h2>" in article.body
    assert "<strong>援疆专家号</strong>" in article.body
    assert f'href="{LINK}"' in article.body
    assert FIGURE_CAPTION in article.body
    screenshot(page, "admin-article-editor-desktop")

    # The preview shows the page as it will look; the public sees nothing.
    page.get_by_role("link", name="在站点上查看").click()
    page.wait_for_url(f"**{article.get_preview_url()}")
    assert page.locator(".preview-banner").is_visible()
    assert page.locator("h1").inner_text() == TITLE
    body = page.locator(".article-body")
    assert body.locator("h2").inner_text() == "清晨七点的门诊"
    assert body.locator("strong").inner_text() == "援疆专家号"
    assert body.get_by_role("link", name="杭州市政府网").get_attribute("href") == LINK
    assert body.locator("figure figcaption").inner_text() == FIGURE_CAPTION
    assert page.locator("figure.article-cover figcaption").inner_text() == (
        COVER_CAPTION
    )
    screenshot(page, "article-preview-desktop")
    visitor = open_page(DESKTOP)
    assert visitor.request.get(article.get_absolute_url()).status == 404

    # The editor is offered no way to publish.
    page.goto("/admin/articles/article/")
    actions = page.locator("select[name=action] option").all_inner_texts()
    assert not any("发布" in action or "归档" in action for action in actions)
    page.goto(change_url(article))
    assert page.locator("select#id_status").count() == 0
    assert "草稿" in page.locator(".field-status").inner_text()

    # The publisher publishes it with the list action.
    page = open_page(DESKTOP)
    log_in(page, publisher)
    page.goto("/admin/articles/article/")
    page.locator("#result_list tr", has_text=TITLE).locator(
        "input.action-select"
    ).check()
    page.select_option("select[name=action]", "publish")
    assert "已发布 1 项" in submit(page, ".actions button[name=index]")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED

    # It is on its channel page, in the feed and in search.
    visitor.goto("/channels/frontline/")
    # Its headline, and its cover, which is named by the headline.
    assert visitor.locator("main").get_by_role("link", name=TITLE).count() == 2
    feed = visitor.request.get("/feeds/articles/")
    assert feed.ok and TITLE in feed.text()
    visitor.goto("/search/?q=援疆专家号")
    assert visitor.locator(".search-results").get_by_role("link", name=TITLE).count()

    # The publisher edits it, then reverts to the first version from history.
    page.goto(change_url(article))
    page.fill("#id_title", TITLE + "(修订)")
    submit(page, "input[name=_continue]")
    article.refresh_from_db()
    assert article.title == TITLE + "(修订)"
    page.locator(".object-tools").get_by_role("link", name="历史").click()
    versions = page.locator("#change-history tbody tr")
    assert versions.count() == 3
    versions.last.locator("a").first.click()
    assert page.locator("#id_title").input_value() == TITLE
    # The first version was a draft; the publisher keeps it live.
    page.select_option("#id_status", label="已发布")
    submit(page, "input[name=_save][value=还原]")
    article.refresh_from_db()
    assert article.title == TITLE
    assert article.status == Article.Status.PUBLISHED
    assert "<strong>援疆专家号</strong>" in article.body
    visitor.goto(article.get_absolute_url())
    assert visitor.locator("h1").inner_text() == TITLE
