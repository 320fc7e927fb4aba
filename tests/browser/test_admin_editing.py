"""Editing safely in the admin: a warning before leaving a change form with
unsaved changes, a save after the session expired keeps what was typed, and
Chinese typed through an input method lands in the editor once."""

from django.contrib.sessions.models import Session

from articles.models import Article
from tests.browser.conftest import DESKTOP, PASSWORD

EDITOR = ".field-body .ProseMirror[contenteditable=true]"


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def open_article(open_page, log_in, user):
    article = Article.objects.order_by("pk").first()
    page = open_page(DESKTOP)
    log_in(page, user)
    page.goto(change_url(article))
    page.locator(EDITOR).wait_for()
    return page, article


def type_at_end_of_body(page, text):
    page.locator(EDITOR).click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(text)


def save_and_continue(page):
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()


def test_leaving_a_changed_form_asks_first(demo, staff, open_page, log_in):
    page, article = open_article(open_page, log_in, staff("发布", "fabu"))
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)

    # Nothing changed: leaving asks nothing.
    page.locator("div.breadcrumbs a").last.click()
    page.wait_for_url("**/admin/articles/article/")
    assert dialogs == []

    # A change: leaving asks, and staying keeps the page and the text.
    page.goto(change_url(article))
    page.locator("#id_subtitle").click()
    page.keyboard.press("End")
    page.keyboard.type("（修订）")
    page.locator("div.breadcrumbs a").last.click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(change_url(article))
    assert page.input_value("#id_subtitle").endswith("（修订）")

    # Saving does not ask.
    save_and_continue(page)
    page.locator(".messagelist .success").wait_for()
    assert dialogs == ["beforeunload"]
    article.refresh_from_db()
    assert article.subtitle.endswith("（修订）")


def test_a_save_after_the_session_expired_keeps_the_text(
    demo, staff, open_page, log_in
):
    publisher = staff("发布", "fabu")
    page, article = open_article(open_page, log_in, publisher)
    page.locator("#id_title").fill("会话过期后仍然保住的标题")
    type_at_end_of_body(page, "会话过期前写下的一段话。")

    # The session ends on the server (expiry, logout elsewhere, a restart).
    Session.objects.all().delete()
    save_and_continue(page)
    assert "/admin/login/" in page.url
    assert "重新登录" in page.locator(".messagelist").inner_text()
    article.refresh_from_db()
    assert article.title != "会话过期后仍然保住的标题"

    # Logging in again leads back to the form, filled in as it was.
    page.get_by_label("用户名").fill(publisher.username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert page.url.endswith(change_url(article))
    assert page.input_value("#id_title") == "会话过期后仍然保住的标题"
    assert "会话过期前写下的一段话。" in page.locator(EDITOR).inner_text()
    assert "已填回" in page.locator(".messagelist").inner_text()

    save_and_continue(page)
    page.locator(".messagelist .success").wait_for()
    article.refresh_from_db()
    assert article.title == "会话过期后仍然保住的标题"
    assert article.body.count("会话过期前写下的一段话。") == 1
    # The restored copy is used once: opening the form again shows the saved row.
    page.goto(change_url(article))
    assert "已填回" not in page.locator("#content-main").inner_text()


def test_input_method_text_is_not_duplicated(demo, staff, open_page, log_in):
    page, article = open_article(open_page, log_in, staff("发布", "fabu"))
    type_at_end_of_body(page, "")
    cdp = page.context.new_cdp_session(page)
    # Pinyin composed, shown underlined while choosing, then committed.
    for composing, committed in [("yuanjiang", "援疆"), ("yisheng", "医生的一天")]:
        for end in range(1, len(composing) + 1):
            cdp.send(
                "Input.imeSetComposition",
                {"text": composing[:end], "selectionStart": end, "selectionEnd": end},
            )
        cdp.send("Input.insertText", {"text": committed})
    assert page.locator(EDITOR).inner_text().count("援疆医生的一天") == 1
    save_and_continue(page)
    page.locator(".messagelist .success").wait_for()
    article.refresh_from_db()
    assert article.body.count("援疆医生的一天") == 1
    assert "yuanjiang" not in article.body and "yisheng" not in article.body
