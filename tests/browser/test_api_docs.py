"""The API's docs page in Chromium: Swagger UI from static files, under the
site's Content-Security-Policy, in Chinese, passing axe."""

import re

from tests.browser.conftest import DESKTOP
from tests.builders import make_assignment


def test_a_visitor_reads_and_tries_an_operation_from_the_footer(
    transactional_db, open_page, axe, screenshot
):
    make_assignment(name="季 成")
    page = open_page(DESKTOP)
    page.goto("/")
    page.locator("footer").get_by_role("link", name="开放数据接口").click()
    page.wait_for_url("**/api/v1/docs/")

    operation = page.get_by_role("button", name=re.compile("援疆任职名单"))
    operation.click()
    page.get_by_role("heading", name="参数").wait_for()
    assert page.get_by_text("检索词：姓名（有无空格均可）").is_visible()
    assert page.locator("tr[data-param-name='q'] .parameter__in").inner_text() == (
        "（查询参数）"
    )
    page.get_by_role("button", name="试一下").click()
    page.get_by_placeholder("q", exact=True).fill("季成")
    page.get_by_role("button", name="执行").click()
    page.get_by_role("heading", name="服务器响应").wait_for()
    assert '"name": "季成"' in page.locator(".live-responses-table").inner_text()
    shown = page.locator("#swagger-ui").inner_text()
    for label in ("Parameters", "Try it out", "Execute", "Responses", "Example Value"):
        assert label not in shown, label
    screenshot(page, "api-docs-desktop")
    axe.assert_clean(page)
