"""An editor uploads a picture into an article's body from the editor's figure
dialog, with alternative text; the preview and, once published, the public
page serve it as a <picture> with renditions in srcset."""

import re

from aidportal.kernel.pictures import BodyPicture
from articles.models import Article
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_editor import EDITOR, jpeg, menu, submit
from tests.browser.test_locale import english_of, spoken
from tests.english import english_on

TITLE = "援疆医生走进阿克苏乡村卫生院"
ALT = "援疆医生为村民测量血压"
CAPTION = "援疆医生在乡村卫生院义诊。"


def test_editor_uploads_a_picture_into_the_body(
    demo, staff, open_page, log_in, screenshot
):
    editor = staff("编辑", "bianji")
    page = open_page(DESKTOP)
    log_in(page, editor)
    page.goto("/admin/articles/article/add/")
    page.select_option("#id_channel", label="前沿动态")
    page.fill("#id_title", TITLE)
    page.locator(EDITOR).click()
    page.keyboard.type("援疆医生一早来到乡村卫生院。")
    page.keyboard.press("Enter")

    # The figure dialog's picker opens the upload page in its own window.
    menu(page, "figure")
    dialog = page.locator("dialog.prose-editor-dialog[open]")
    # The dialog, its picker button included, speaks Chinese.
    assert english_of(spoken(page, "dialog.prose-editor-dialog[open]")) == []
    with page.expect_popup() as opened:
        dialog.locator(".prose-editor-field-with-picker button").click()
    picker = opened.value
    # The popup is no page of open_page's: watch it here (CSP, script errors).
    problems = []
    picker.on("console", lambda m: m.type == "error" and problems.append(m.text))
    picker.on("pageerror", lambda error: problems.append(str(error)))
    picker.wait_for_load_state()
    assert "插入图片" in picker.title()
    assert english_on(picker.content()) == []
    # Without alternative text the upload is refused, in Chinese.
    picker.set_input_files(
        "#id_image",
        files=[{"name": "clinic.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}],
    )
    picker.get_by_role("button", name="上传并插入").click()
    picker.locator(".errorlist").wait_for()
    assert "请填写替代文字" in picker.locator(".errorlist").inner_text()
    assert english_on(picker.content()) == []
    assert not BodyPicture.objects.exists()
    screenshot(picker, "admin-picture-picker-error")
    picker.set_input_files(
        "#id_image",
        files=[{"name": "clinic.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}],
    )
    picker.fill("#id_alt", ALT)
    picker.fill("#id_caption", CAPTION)
    with picker.expect_event("close"):
        picker.get_by_role("button", name="上传并插入").click()

    assert not problems, problems

    # The dialog now holds the uploaded picture, its text and caption.
    picture = BodyPicture.objects.get()
    assert dialog.locator("input[name=imageUrl]").input_value() == picture.image.url
    assert dialog.locator("input[name=altText]").input_value() == ALT
    assert dialog.locator("input[name=caption]").input_value() == CAPTION
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="detached")
    page.locator(f"{EDITOR} figure img").wait_for()
    screenshot(page, "admin-article-body-picture-desktop")
    submit(page, "input[name=_continue]")

    article = Article.objects.get(title=TITLE)
    assert f'src="{picture.image.url}"' in article.body
    assert f'data-file="{picture.reference}"' in article.body
    assert f'alt="{ALT}"' in article.body

    # The list shows the demo articles' covers as small silent thumbnails.
    page.goto("/admin/articles/article/")
    thumbnails = page.locator("#result_list img.row-thumbnail")
    assert thumbnails.count() >= 1
    assert thumbnails.first.get_attribute("alt") == ""
    assert thumbnails.first.bounding_box()["width"] <= 60
    screenshot(page, "admin-article-list-thumbnails")
    page.goto(f"/admin/articles/article/{article.pk}/change/")

    # The preview serves it from renditions, sized, with its caption.
    page.get_by_role("link", name="在站点上查看").click()
    page.wait_for_url(f"**{article.get_preview_url()}")
    figure = page.locator(".article-body figure")
    img = figure.locator("picture img")
    assert figure.locator("picture source[type='image/webp']").count() == 1
    srcset = img.get_attribute("srcset")
    assert re.search(r"/media/renditions/\S+ 400w, \S+ 800w", srcset), srcset
    assert (img.get_attribute("width"), img.get_attribute("height")) == (
        "800",
        "533",
    )
    assert img.get_attribute("alt") == ALT
    assert figure.locator("figcaption").inner_text() == CAPTION
    img.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=img.element_handle()
    )
    screenshot(page, "article-body-picture-preview-desktop")

    # Published, the public page serves it the same way (on a phone). The
    # media gate is tested without a browser: the live server serves /media/
    # itself (Django's _MediaFilesHandler), not through the gate.
    visitor = open_page(PHONE, phone=True)
    assert visitor.request.get(article.get_absolute_url()).status == 404
    article.status = Article.Status.PUBLISHED
    article.save()
    visitor.goto(article.get_absolute_url())
    shown = visitor.locator(".article-body picture img")
    shown.scroll_into_view_if_needed()
    visitor.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=shown.element_handle()
    )
    assert "/media/renditions/" in shown.evaluate("img => img.currentSrc")
    screenshot(visitor, "article-body-picture-phone")
