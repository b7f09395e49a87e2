# ruff: noqa: E501  (HTML templates: markup lines kept whole, as the CMS emits them)
"""An older table-layout CMS served in EUC-KR: /news/article.html?no=, #news_body_area, /data/rss/news.xml.

Most pages send `charset=euc-kr` in Content-Type; every odd-numbered article sends a bare
`text/html` and names the charset only in `<meta http-equiv>`, as many such sites do.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import timedelta

from demo.content import SECTIONS, SiteArticle, SiteInfo
from demo.render.base import (
    FILLER_HEADLINES,
    ORIGIN,
    Resource,
    esc,
    html_resource,
    page_slice,
    robots,
    rss,
    to_int,
    urlset,
    xml,
)

SEC = {s: i + 1 for i, s in enumerate(SECTIONS)}
SEC_NAMES = {0: "전체기사", 1: "정치·자치", 2: "경제·산업", 3: "사회", 4: "문화·생활"}
ENC = "euc-kr"


class OldcmsRenderer:
    def __init__(self, site: SiteInfo, articles: Sequence[SiteArticle]) -> None:
        self.site = site
        self.articles = list(articles)
        self.by_no: dict[int, SiteArticle] = {}
        no = site.id_start
        for a in self.articles:
            no += 1 + zlib.crc32(a.story.encode()) % 4
            object.__setattr__(a, "path", f"/news/article.html?no={no}")
            self.by_no[no] = a
        self.newest = sorted(self.articles, key=lambda a: a.published, reverse=True)

    def _page(self, title: str, left: str, right: str) -> str:
        s = self.site
        menu = "".join(
            f'<td class="menu_td"><a href="/news/section_list_all.html?sec_no={n}">{v}</a></td>'
            for n, v in SEC_NAMES.items()
            if n
        )
        return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">
<title>{esc(title)}</title>
<link rel="stylesheet" type="text/css" href="/data/skin/layout/css/style.css">
<script type="text/javascript" src="/data/skin/js/jquery.js"></script>
<script type="text/javascript" src="/data/skin/js/common.js"></script>
</head>
<body leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" id="top_table">
<tr><td class="top_date">2026년 10월 15일 목요일</td>
<td align="right" class="top_login"><a href="/member/login.html">로그인</a> | <a href="/member/join.html">회원가입</a></td></tr>
<tr><td><a href="/"><img src="/data/skin/layout/img/logo.gif" alt="{esc(s.name)}" border="0"></a></td>
<td class="weather">인천 14.2℃ 맑음 <span class="weather_src">기상청 제공</span></td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="menu_table"><tr>{menu}</tr></table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td width="680" valign="top" id="left_area">
{left}
</td>
<td width="20"></td>
<td width="300" valign="top" id="right_area">
{right}
</td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" id="footer_table">
<tr><td class="footer_menu"><a href="/company/">회사소개</a> | <a href="/privacy/">개인정보보호정책</a> | <a href="/youth/">청소년보호정책</a></td></tr>
<tr><td class="footer_info">{esc(s.address)} | TEL {esc(s.phone)}<br>
등록번호 : {esc(s.reg_no)} | 발행인 : {esc(s.publisher)} | 편집인 : {esc(s.publisher)}<br>
Copyright ⓒ {esc(s.name)}. All rights reserved.</td></tr>
</table>
</body>
</html>
"""

    def _right(self, current: SiteArticle | None) -> str:
        others = [a for a in self.newest if a is not current]
        best = sorted(others, key=lambda a: zlib.crc32((a.story + "hit").encode()))[:5]
        rows = "".join(
            f'<tr><td class="best_num">{i + 1}</td><td class="best_title"><a href="{esc(a.path)}">'
            f"{esc(a.title)}</a></td></tr>"
            for i, a in enumerate(best)
        )
        sec = "".join(
            f'<li><a href="{esc(a.path)}">{esc(a.title)}</a><br><span>{esc(a.snippet(50))}</span></li>'
            for a in others[:3]
        )
        filler = "".join(f'<li><a href="#">{esc(t)}</a></li>' for t, _ in FILLER_HEADLINES[4:7])
        return (
            f'<table width="300" class="best_table"><tr><td colspan="2" class="box_title">많이 본 기사</td></tr>'
            f"{rows}</table>"
            f'<div class="right_banner"><a href="#"><img src="/data/banner/right01.gif" alt="배너"></a></div>'
            f'<div class="right_news"><div class="box_title">섹션별 최신기사</div><ul>{sec}{filler}</ul></div>'
        )

    def article(self, a: SiteArticle) -> Resource:
        s = self.site
        no = a.path.rsplit("=", 1)[1]
        photos = "".join(
            f'<table border="0" cellpadding="0" cellspacing="0" align="center" class="news_photo_table">'
            f'<tr><td><img src="/news/photo/{a.published:%Y%m%d}/{no}_{i}.jpg" width="500" border="0"></td></tr>'
            f'<tr><td class="news_photo_caption">▲ {esc(c)}</td></tr></table>\n'
            for i, c in enumerate(a.captions)
        )
        text = "<br />\n<br />\n".join(esc(p) for p in a.paragraphs)
        if a.signoff:
            text += f"<br />\n<br />\n/{esc(a.authors[0])} 기자 {esc(a.emails[0])}"
        date = ""
        if a.show_date:
            date = f'<span class="view_date">기사입력 {a.published:%Y.%m.%d %H:%M:%S}</span>'
            if a.serial % 2 == 0:
                mod = a.published + timedelta(hours=2, minutes=11, seconds=5)
                date += f' <span class="view_edit">| 최종수정 {mod:%Y.%m.%d %H:%M:%S}</span>'
        rel = [o for o in self.newest if o.section == a.section and o is not a][:3]
        related = "".join(f'<li><a href="{esc(o.path)}">{esc(o.title)}</a></li>' for o in rel)
        sub = f'<div class="view_subtitle">{esc(a.subtitle)}</div>' if a.subtitle else ""
        left = f"""<div class="sec_path"><a href="/">HOME</a> &gt; <a href="/news/section_list_all.html?sec_no={SEC[a.section]}">{SEC_NAMES[SEC[a.section]]}</a></div>
<table width="100%" border="0" cellpadding="0" cellspacing="0" class="view_top_table">
<tr><td class="view_title"><h3>{esc(a.title)}</h3></td></tr>
<tr><td>{sub}</td></tr>
<tr><td class="view_info"><span class="view_reporter">{esc("·".join(a.authors))} 기자</span> {date}</td></tr>
<tr><td class="view_util" align="right"><a href="/news/article_print.html?no={no}" target="_blank">인쇄하기</a> |
<a href="#" onclick="fontPlus();return false;">글자크게</a> | <a href="#" onclick="fontMinus();return false;">글자작게</a> |
<a href="/news/mail.html?no={no}">메일보내기</a></td></tr>
</table>
<div id="news_body_area" class="smartOutput" style="font-size:15px;line-height:1.8">
{photos}{text}
</div>
<div class="view_copyright">저작권자 ⓒ {esc(s.name)} 무단전재 및 재배포금지</div>
<div class="view_related"><div class="box_title">이 기사와 관련기사</div><ul>{related}</ul></div>
<div class="view_comment"><div class="box_title">독자의견</div><p>의견이 없습니다.</p></div>"""
        ctype = "text/html" if int(no) % 2 else None
        return html_resource(
            self._page(f"{a.title} - {s.name}", left, self._right(a)),
            ENC,
            last_modified=a.published + timedelta(hours=2),
            content_type=ctype,
        )

    def print_page(self, a: SiteArticle) -> Resource:
        text = "<br /><br />".join(esc(p) for p in a.paragraphs)
        return html_resource(
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr">'
            f'<title>{esc(a.title)}</title></head><body onload="print()"><h3>{esc(a.title)}'
            f"</h3><div>{text}</div></body></html>",
            ENC,
        )

    def listing(self, sec: int, page: int) -> Resource:
        pool = [a for a in self.newest if sec == 0 or SEC[a.section] == sec]
        items = page_slice(pool, page, self.site.page_size)
        rows = "".join(
            f'<tr><td class="list_title"><a href="{esc(a.path)}"><b>{esc(a.title)}</b></a></td></tr>'
            f'<tr><td class="list_summary">{esc(a.snippet(90))}</td></tr>'
            f'<tr><td class="list_info">{esc("·".join(a.authors))} 기자 | '
            + (f"{a.published:%Y.%m.%d %H:%M}" if a.show_date else "")
            + "</td></tr>"
            for a in items
        )
        if not rows:
            rows = '<tr><td class="list_none">등록된 기사가 없습니다.</td></tr>'
        last = max(1, -(-len(pool) // self.site.page_size))
        pager = " ".join(
            f'<a href="/news/section_list_all.html?sec_no={sec}&amp;page={n}">[{n}]</a>' for n in range(1, last + 1)
        )
        left = (
            f'<div class="list_head">{SEC_NAMES.get(sec, "기사")}</div><table width="100%" class="list_table">'
            f'{rows}</table><div class="list_paging" align="center">{pager}</div>'
        )
        return html_resource(self._page(self.site.name, left, ""), ENC)

    def static(self) -> dict[str, Resource]:
        s = self.site
        top = "".join(f'<li><a href="{esc(a.path)}">{esc(a.title)}</a></li>' for a in self.newest[:8])
        out = {"/": html_resource(self._page(s.name, f'<ul class="main_top">{top}</ul>', self._right(None)), ENC)}
        out["/data/rss/news.xml"] = rss(s, ORIGIN, s.name, [a for a in self.newest if a.show_date][:15], ENC)
        out["/sitemap.xml"] = xml(urlset(ORIGIN, [(a.path, a.published) for a in self.newest]))
        out["/robots.txt"] = robots(s, ["/sitemap.xml"])
        return out

    def dynamic(self, path: str, query: dict[str, str]) -> Resource | None:
        if path in ("/news/article.html", "/news/article_print.html"):
            a = self.by_no.get(to_int(query.get("no"), -1))
            if a is None:
                return None
            return self.article(a) if path == "/news/article.html" else self.print_page(a)
        if path == "/news/section_list_all.html":
            return self.listing(to_int(query.get("sec_no"), 0), to_int(query.get("page")))
        return None

    def non_articles(self) -> list[str]:
        out = [a.path.replace("article.html", "article_print.html") for a in self.newest[:2]]
        out.append("/news/section_list_all.html?sec_no=0&page=1")
        return out
