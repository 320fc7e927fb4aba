"""Review before publishing, as staff do it in the browser: an editor fixes a
typo in a live article and submits it, the public page keeps the live text
until a publisher has read the diff and approved it; a publisher who sends it
back leaves a comment the editor finds on the admin index and on the form.
The review page and the index's queues pass axe and fit a phone."""

import pytest

from aidportal.kernel.workflow import ReviewComment, Submission
from articles.models import Article
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE
from tests.builders import ROLES, make_article, make_staff

EDITOR = ".field-body .ProseMirror[contenteditable=true]"
TYPO_TITLE = "援疆医生在阿克苏开展新技朮培训"
FIXED_TITLE = "援疆医生在阿克苏开展新技术培训"
TYPO_BODY = "杭州援疆医生在阿克苏市第一人民医院开展腹腔镜新技朮培训。"
FIXED_BODY = "杭州援疆医生在阿克苏市第一人民医院开展腹腔镜新技术培训。"


@pytest.fixture
def live_article(roles):
    return make_article(
        title=TYPO_TITLE, body=f"<p>{TYPO_BODY}</p>", status=Article.Status.PUBLISHED
    )


@pytest.fixture
def people(roles):
    return {
        role: make_staff(ROLES[role], username=f"{role}-user", password=PASSWORD)
        for role in ("editor", "publisher")
    }


def staff_page(open_page, log_in, user, viewport=DESKTOP):
    page = open_page(viewport, phone=viewport == PHONE)
    log_in(page, user)
    return page


def public_text(open_page, article):
    """The article's public page as an anonymous visitor sees it (a fresh
    context: no staff cookie)."""
    page = open_page(DESKTOP)
    response = page.goto(f"/articles/{article.pk}/")
    assert response.status == 200
    text = page.locator("main").inner_text()
    page.context.close()
    return text


def fix_typo_and_submit(page, article):
    """The editor corrects 朮 → 术 in the title and in the body, as typed,
    and clicks 保存并提交审核."""
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.locator(EDITOR).wait_for()

    title = page.locator("#id_title")
    title.click()
    page.keyboard.press("End")
    for _ in range(2):  # before 培训
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("Shift+ArrowLeft")
    page.wait_for_function(
        "() => { const box = document.activeElement;"
        " return box.value.slice(box.selectionStart, box.selectionEnd) === '朮'; }"
    )
    page.keyboard.type("术")
    assert title.input_value() == FIXED_TITLE

    # A click on the right half of 朮 puts the caret after it.
    box = page.evaluate(
        """(selector) => {
            const editor = document.querySelector(selector);
            const walker = document.createTreeWalker(editor, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
              const at = walker.currentNode.data.indexOf("朮");
              if (at < 0) continue;
              const range = document.createRange();
              range.setStart(walker.currentNode, at);
              range.setEnd(walker.currentNode, at + 1);
              const rect = range.getBoundingClientRect();
              return {x: rect.right - 2, y: rect.top + rect.height / 2};
            }
        }""",
        EDITOR,
    )
    page.mouse.click(box["x"], box["y"])
    # The editor has taken the click: its own caret (not only the page's) is
    # after the typo.
    page.wait_for_function(
        """(selector) => {
            const editor = document.querySelector(selector).editor;
            const {from, empty} = editor.state.selection;
            return empty && editor.state.doc.textBetween(from - 1, from) === "朮";
        }""",
        arg=EDITOR,
    )
    page.keyboard.press("Backspace")
    # The editor copies its content into the form's body field on each
    # change: type on once it has taken the deletion.
    page.wait_for_function(
        "() => !document.querySelector('textarea[name=body]').value.includes('朮')"
    )
    page.keyboard.type("术")
    page.wait_for_function(
        "(text) => document.querySelector('textarea[name=body]').value.includes(text)",
        arg=FIXED_BODY,
    )
    assert page.locator(EDITOR).inner_text().strip() == FIXED_BODY

    with page.expect_navigation():
        page.get_by_role("button", name="保存并提交审核").click()
    assert "已提交审核" in page.locator(".messagelist .success").inner_text()


def open_from_queue(page, article):
    """The publisher finds the article under 待我审核 and opens its review."""
    page.goto("/admin/")
    queue = page.locator("section.review-queue", has_text="待我审核")
    assert "待我审核（1）" in queue.locator("h2").inner_text()
    row = queue.locator("tbody tr", has_text=TYPO_TITLE)
    assert "（修改稿）" in row.inner_text()
    assert "editor-user" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name=TYPO_TITLE).click()
    assert page.url.endswith(f"/admin/articles/article/{article.pk}/review/")


def verdict(page, choice, comment=""):
    page.locator(".review-choices").get_by_label(choice).check()
    if comment:
        page.get_by_label("审核意见").fill(comment)
    with page.expect_navigation():
        page.locator(".review-verdict").get_by_role("button", name="提交").click()


def test_an_editors_fix_goes_live_only_when_approved(
    live_article, people, open_page, log_in, page_cache
):
    # The live page is read (and cached) before anyone edits.
    assert TYPO_BODY in public_text(open_page, live_article)

    editor = staff_page(open_page, log_in, people["editor"])
    fix_typo_and_submit(editor, live_article)
    assert Submission.objects.get().submitted_at is not None

    public = public_text(open_page, live_article)
    assert TYPO_TITLE in public and TYPO_BODY in public
    assert FIXED_TITLE not in public and FIXED_BODY not in public

    publisher = staff_page(open_page, log_in, people["publisher"])
    open_from_queue(publisher, live_article)
    diff = publisher.locator("table.review-diff")
    # Only what the editor changed: not the publish time the form rounds.
    assert diff.locator("tbody th").all_inner_texts() == ["正文", "标题"]
    title_row = diff.locator("tbody tr", has_text="标题")
    body_row = diff.locator("tbody tr", has_text="正文")
    for row in (title_row, body_row):
        assert row.locator("del").all_inner_texts() == ["朮"]
        assert row.locator("ins").all_inner_texts() == ["术"]
    assert FIXED_BODY in body_row.inner_text().replace("朮", "")

    verdict(publisher, "审核通过")
    assert publisher.url.endswith("/admin/")
    assert "已审核通过" in publisher.locator(".messagelist .success").inner_text()
    assert (
        "没有等待审核的稿件" in publisher.locator("section.review-queue").inner_text()
    )

    public = public_text(open_page, live_article)
    assert FIXED_TITLE in public and FIXED_BODY in public
    assert "朮" not in public
    live_article.refresh_from_db()
    assert live_article.title == FIXED_TITLE
    assert not Submission.objects.exists()


def test_a_rejected_fix_comes_back_with_the_comment(
    live_article, people, open_page, log_in
):
    editor = staff_page(open_page, log_in, people["editor"])
    fix_typo_and_submit(editor, live_article)

    publisher = staff_page(open_page, log_in, people["publisher"])
    open_from_queue(publisher, live_article)
    # Sending back without a comment is refused: the author needs to know why.
    verdict(publisher, "退回修改")
    assert "请填写审核意见" in publisher.locator(".review-verdict").inner_text()
    verdict(publisher, "退回修改", "培训的日期请核对后补上")
    assert "已退回修改" in publisher.locator(".messagelist .success").inner_text()

    editor.goto("/admin/")
    mine = editor.locator("section.review-queue", has_text="我的稿件")
    row = mine.locator("tbody tr", has_text=TYPO_TITLE)
    assert "修改稿" in row.inner_text()
    assert "退回修改：培训的日期请核对后补上" in row.inner_text()
    with editor.expect_navigation():
        row.get_by_role("link", name=TYPO_TITLE).click()
    panel = editor.locator(".review-panel")
    assert "培训的日期请核对后补上" in panel.locator(".review-comments").inner_text()
    assert "publisher-user" in panel.inner_text()
    # The form holds the editor's working copy, ready to go on with.
    assert editor.input_value("#id_title") == FIXED_TITLE

    public = public_text(open_page, live_article)
    assert TYPO_TITLE in public and TYPO_BODY in public
    assert FIXED_BODY not in public
    live_article.refresh_from_db()
    assert live_article.title == TYPO_TITLE
    assert ReviewComment.objects.get().verdict == ReviewComment.Verdict.REJECT


def no_sideways_scroll(page):
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"


def overlapping(page, selector):
    """Pairs of ``selector`` boxes that overlap (each a readable description)."""
    return page.evaluate(
        """(selector) => {
            const boxes = [...document.querySelectorAll(selector)]
              .filter((el) => el.offsetParent !== null)
              .map((el) => [el, el.getBoundingClientRect()]);
            const found = [];
            for (let i = 0; i < boxes.length; i++) {
              for (let j = i + 1; j < boxes.length; j++) {
                const [a, ra] = boxes[i], [b, rb] = boxes[j];
                if (a.contains(b) || b.contains(a)) continue;
                if (ra.left < rb.right - 1 && rb.left < ra.right - 1 &&
                    ra.top < rb.bottom - 1 && rb.top < ra.bottom - 1) {
                  found.push(`${a.textContent.trim().slice(0, 20)} / ` +
                             `${b.textContent.trim().slice(0, 20)}`);
                }
              }
            }
            return found;
        }""",
        selector,
    )


REVIEW_PARTS = (
    ".review-diff th, .review-diff td, .review-comments li, "
    ".review-choices label, .review-verdict .form-row > *, .submit-row input"
)
QUEUE_PARTS = ".review-queue th, .review-queue td, .review-queue h2"


def test_review_page_and_queues_are_accessible_on_a_phone(
    live_article, people, open_page, log_in, axe, screenshot
):
    editor = staff_page(open_page, log_in, people["editor"])
    fix_typo_and_submit(editor, live_article)
    publisher = staff_page(open_page, log_in, people["publisher"], PHONE)
    review = f"/admin/articles/article/{live_article.pk}/review/"
    publisher.goto(review)
    verdict(publisher, "只发表意见", "第二段的人名请与新闻稿核对一遍，" * 3)

    publisher.goto("/admin/")
    assert publisher.locator("section.review-queue tbody tr").count() == 1
    screenshot(publisher, "review-queue-publisher-phone")
    axe.assert_clean(publisher)
    no_sideways_scroll(publisher)
    assert overlapping(publisher, QUEUE_PARTS) == []

    publisher.goto(review)
    screenshot(publisher, "review-page-phone")
    axe.assert_clean(publisher)
    no_sideways_scroll(publisher)
    assert overlapping(publisher, REVIEW_PARTS) == []
    # Deletions and insertions are told apart by a line, not colour alone.
    styles = publisher.evaluate(
        """() => ["del", "ins"].map((tag) => {
            const style = getComputedStyle(
              document.querySelector(`.review-diff ${tag}`));
            return [style.textDecorationLine, style.color, style.backgroundColor];
        })"""
    )
    (del_line, del_colour, del_fill), (ins_line, ins_colour, ins_fill) = styles
    assert "line-through" in del_line and "underline" in ins_line
    assert (del_colour, del_fill) != (ins_colour, ins_fill)

    editor.set_viewport_size(PHONE)
    editor.goto("/admin/")
    assert editor.locator("section.review-queue", has_text="我的稿件").count() == 1
    screenshot(editor, "review-queue-editor-phone")
    axe.assert_clean(editor)
    no_sideways_scroll(editor)
    assert overlapping(editor, QUEUE_PARTS) == []
