"""Editing safely in the admin: a warning before leaving a change form with
unsaved changes, a save after the session expired keeps what was typed (on
content forms only, never a password, and only for the user who typed it),
and Chinese typed through an input method lands in the editor once."""

from django.contrib.auth.models import User
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
    # A save renders the change form again: under a second test process's
    # load (make test runs two) it has taken more than the usual 15 s.
    with page.expect_navigation(timeout=30_000):
        page.locator("input[name=_continue]").click()


def kept_drafts(page):
    """The tab's sessionStorage, as text: what a kept draft would expose."""
    return page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")


def save_after_expiry(page):
    """The session ends on the server (expiry, logout elsewhere, a restart),
    then the form is saved: the admin answers with its login page."""
    Session.objects.all().delete()
    save_and_continue(page)
    assert "/admin/login/" in page.url


def log_in_again(page, user):
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


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


def test_the_save_button_stays_put_while_pictures_and_icons_load(
    demo, staff, open_page, log_in
):
    """The form's thumbnails (cover, gallery) load lazily, as staff scroll to
    them, and the editor's toolbar icons come in a font: the place each takes
    is known beforehand, so nothing moves under the pointer on its way to 保存.
    (Without it, a click aimed at the button landed on the form around it, and
    the save never happened.)"""
    article = Article.objects.filter(images__isnull=False).exclude(cover="").first()
    held = {"pictures": [], "icons": []}
    page = open_page(DESKTOP)
    log_in(page, staff("发布", "fabu"))
    page.route("**/media/**", lambda route: held["pictures"].append(route))
    page.route("**/*.woff2", lambda route: held["icons"].append(route))
    page.goto(change_url(article), wait_until="domcontentloaded")
    editor = page.locator(EDITOR)
    editor.wait_for()

    # At the top of the page (where the browser does not scroll to keep the
    # text in view), the icons' font arriving leaves the text where it was.
    before = editor.bounding_box()
    assert len(held["icons"]) == 1
    for route in held["icons"]:
        route.continue_()
    page.wait_for_function(
        "async () => (await document.fonts.ready).check('24px \"Material Icons\"')"
    )
    assert editor.bounding_box() == before

    # Further down, the pictures arriving leave the button where it was.
    button = page.locator("input[name=_continue]")
    button.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the lazy pictures now in view are asked for
    before = button.bounding_box()
    assert len(held["pictures"]) >= 2  # the cover's and the gallery's at least
    for route in held["pictures"]:
        route.continue_()
    page.unroute_all()
    page.wait_for_function(
        "() => [...document.images].every((image) => image.complete)"
    )
    assert button.bounding_box() == before


def test_a_save_after_the_session_expired_keeps_the_text(
    demo, staff, open_page, log_in
):
    publisher = staff("发布", "fabu")
    page, article = open_article(open_page, log_in, publisher)
    page.locator("#id_title").fill("会话过期后仍然保住的标题")
    type_at_end_of_body(page, "会话过期前写下的一段话。")

    save_after_expiry(page)
    warning = page.locator(".messagelist").inner_text()
    assert "重新登录" in warning
    # Chosen files and added rows are not kept, and the notice says so.
    assert "图片和文件、新添加的行不会保留" in warning
    article.refresh_from_db()
    assert article.title != "会话过期后仍然保住的标题"

    # Logging in again leads back to the form, filled in as it was.
    log_in_again(page, publisher)
    assert page.url.endswith(change_url(article))
    assert page.input_value("#id_title") == "会话过期后仍然保住的标题"
    assert "会话过期前写下的一段话。" in page.locator(EDITOR).inner_text()
    restored = page.locator(".messagelist").inner_text()
    assert "已填回" in restored
    assert "需要重新选择或添加" in restored

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


def test_another_users_login_discards_the_draft(demo, staff, open_page, log_in):
    first, second = staff("发布", "fabu"), staff("发布", "fabu2")
    page, article = open_article(open_page, log_in, first)
    version = page.input_value("[name=edit_version]")
    page.locator("#id_title").fill("第一位发布员没保存的标题")
    save_after_expiry(page)
    assert "第一位发布员没保存的标题" in kept_drafts(page)

    # Someone else logs in from the same tab: the form shows the stored row,
    # and the first user's text is gone from the tab.
    log_in_again(page, second)
    assert page.url.endswith(change_url(article))
    assert page.input_value("#id_title") == article.title
    assert page.input_value("[name=edit_version]") == version
    assert "已填回" not in page.locator("#content-main").inner_text()
    assert "第一位发布员没保存的标题" not in kept_drafts(page)


def test_passwords_are_never_kept(demo, staff, open_page, log_in):
    admin = User.objects.create_superuser("guanli", password=PASSWORD)
    page = open_page(DESKTOP)
    log_in(page, admin)

    # A user's form is no content form: nothing of it is kept.
    page.goto("/admin/auth/user/add/")
    page.locator("#id_username").fill("xinyonghu")
    page.locator("#id_password1").fill("Xin-mima-2026")
    page.locator("#id_password2").fill("Xin-mima-2026")
    Session.objects.all().delete()
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    assert "/admin/login/" in page.url
    assert "Xin-mima-2026" not in kept_drafts(page)
    assert "xinyonghu" not in kept_drafts(page)
    assert "重新登录后" not in page.locator("#content").inner_text()
    log_in_again(page, admin)
    assert page.url.endswith("/admin/auth/user/add/")
    assert page.input_value("#id_username") == ""
    assert page.input_value("#id_password1") == ""

    # On a content form a password box (by type, or by what the browser
    # would fill in) is left out of the draft; the rest is kept.
    article = Article.objects.order_by("pk").first()
    page.goto(change_url(article))
    page.locator(EDITOR).wait_for()
    page.evaluate(
        """() => {
            const form = document.querySelector("#content-main form");
            form.insertAdjacentHTML("beforeend",
                '<input type="password" name="secret" value="Mima-by-type">' +
                '<input name="pin" autocomplete="current-password"' +
                ' value="Mima-by-hint">');
        }"""
    )
    page.locator("#id_title").fill("带密码框的表单的标题")
    save_after_expiry(page)
    drafts = kept_drafts(page)
    assert "带密码框的表单的标题" in drafts
    assert "Mima-by-type" not in drafts and "Mima-by-hint" not in drafts
