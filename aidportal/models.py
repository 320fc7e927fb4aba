"""The site's own record: who runs it and its filings, shown in every footer."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidportal.kernel.caching import cached_block
from aidportal.kernel.images import PictureField
from aidportal.kernel.publishing import Content, alt_text

# Province abbreviations that open an ICP or public-security filing number.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼港澳台"

# 地方政府网站：6位行政区划代码加4位顺序号；国务院部门网站：bm 加8位数字。
# Anchored: RegexValidator searches.
SITE_CODE = re.compile(r"\A(?:\d{10}|bm\d{8})\Z")
ICP_NUMBER = re.compile(rf"\A[{PROVINCES}]ICP备\d{{6,10}}号(?:-\d{{1,3}})?\Z")
PUBLIC_SECURITY_NUMBER = re.compile(rf"\A([{PROVINCES}])公网安备 ?(\d{{14}})号\Z")

MIIT_FILING_URL = "https://beian.miit.gov.cn/"
MPS_FILING_URL = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"


def typed(value: str) -> str:
    """A number as staff type it, written one way: full-width letters and
    digits made ASCII (NFKC), spaces at the ends dropped."""
    return unicodedata.normalize("NFKC", value).strip()


class SiteRegistryQuerySet(models.QuerySet):
    def published(self):
        """All of it: the record is the public footer (what the media gate
        serves of its picture)."""
        return self


class SiteRegistry(Content):
    """One row: the site's sponsor, contact and filing numbers
    (《政府网站发展指引》 asks every government site to show them)."""

    sponsor = models.CharField(
        _("主办单位"),
        max_length=100,
        blank=True,
        help_text=_("网站的主办单位全称，如“杭州市对口支援新疆阿克苏市指挥部”。"),
    )
    operator = models.CharField(
        _("承办单位"),
        max_length=100,
        blank=True,
        help_text=_("负责网站日常运行维护的单位；与主办单位相同时可留空。"),
    )
    address = models.CharField(_("联系地址"), max_length=200, blank=True)
    phone = models.CharField(
        _("联系电话"),
        max_length=50,
        blank=True,
        help_text=_("如“0571-12345678”；多个号码用顿号分开。"),
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    site_code = models.CharField(
        _("网站标识码"),
        # Room for what staff paste (spaces, full-width digits) to reach the
        # format check, which names the field; stored are 10 characters.
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                SITE_CODE,
                _(
                    "网站标识码格式不对：应为10位数字（地方政府网站），"
                    "或“bm”加8位数字（部门网站）。"
                ),
            )
        ],
        help_text=_(
            "政府网站标识码共10位：地方政府网站为10位数字"
            "（前6位是行政区划代码），部门网站为“bm”加8位数字。"
            "没有标识码的网站留空。"
        ),
    )
    icp_number = models.CharField(
        _("ICP备案号"),
        max_length=30,
        blank=True,
        validators=[
            RegexValidator(
                ICP_NUMBER,
                _("ICP备案号格式不对：应如“浙ICP备12345678号-1”。"),
            )
        ],
        help_text=_(
            "工业和信息化部的网站备案号，如“浙ICP备12345678号-1”"
            "（省份简称、ICP备、6至10位数字、号，可带“-序号”）。"
            "页脚显示为指向 beian.miit.gov.cn 的链接。"
        ),
    )
    public_security_number = models.CharField(
        _("公安机关备案号"),
        max_length=30,
        blank=True,
        validators=[
            RegexValidator(
                PUBLIC_SECURITY_NUMBER,
                _("公安机关备案号格式不对：应如“浙公网安备 33010202000001号”。"),
            )
        ],
        help_text=_(
            "公安机关互联网站安全备案号，如“浙公网安备 33010202000001号”"
            "（省份简称、公网安备、14位数字、号）。"
            "页脚显示为指向 beian.mps.gov.cn 查询页的链接。"
        ),
    )
    gov_badge = PictureField(
        _("党政机关网站标识"),
        blank=True,
        width_field="gov_badge_width",
        height_field="gov_badge_height",
        help_text=_("机构编制部门颁发的“党政机关”网站标识图片；没有可留空。"),
    )
    gov_badge_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    gov_badge_height = models.PositiveIntegerField(
        null=True, blank=True, editable=False
    )
    gov_badge_alt = alt_text(_("标识替代文字"))
    gov_badge_url = models.URLField(
        _("标识链接"),
        blank=True,
        help_text=_("点击标识打开的网址（标识证书的查验页）；可留空。"),
    )
    footer_note = models.CharField(
        _("页脚附注"),
        max_length=200,
        blank=True,
        help_text=_("显示在页脚备案信息下方的一句话，如浏览建议；可留空。"),
    )

    history = HistoricalRecords()
    objects = SiteRegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("网站信息")
        verbose_name_plural = _("网站信息")
        constraints = [
            # One row: the site has one sponsor and one set of filings.
            models.CheckConstraint(
                condition=models.Q(id=1),
                name="site_registry_single_row",
                violation_error_message=_("网站信息只有一条。"),
            ),
        ]

    def __str__(self):
        return str(_("网站信息"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # Before the format checks: full-width digits are the same number.
        for name in ("site_code", "icp_number", "public_security_number"):
            setattr(self, name, typed(getattr(self, name)))
        super().clean_fields(exclude)

    def clean(self):
        super().clean()
        number = PUBLIC_SECURITY_NUMBER.fullmatch(self.public_security_number)
        if number:
            # Written as the ministry prints it: one space before the digits.
            self.public_security_number = f"{number[1]}公网安备 {number[2]}号"
        if self.gov_badge and not self.gov_badge_alt.strip():
            raise ValidationError(
                {"gov_badge_alt": _("上传了党政机关网站标识，请填写标识替代文字。")}
            )

    @property
    def public_security_code(self) -> str:
        number = PUBLIC_SECURITY_NUMBER.fullmatch(self.public_security_number)
        return number[2] if number else ""

    @property
    def public_security_url(self) -> str:
        code = self.public_security_code
        return MPS_FILING_URL.format(code=code) if code else ""

    @property
    def email_url(self) -> str:
        return f"mailto:{self.email}" if self.email else ""

    @property
    def icp_url(self) -> str:
        return MIIT_FILING_URL

    @property
    def has_filings(self) -> bool:
        return bool(self.site_code or self.icp_number or self.public_security_number)

    @property
    def has_contact(self) -> bool:
        return bool(self.address or self.phone or self.email)


def site_registry() -> SiteRegistry:
    """The record, or an empty one before staff fill it in: read from the
    cache until content changes, so a page (or the admin's menu) that shows
    it runs no query for it."""
    return cached_block(
        "site-registry",
        lambda: SiteRegistry.objects.filter(pk=1).first() or SiteRegistry(),
    )
