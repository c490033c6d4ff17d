"""The HTML reports in a real browser (issue 7, item 6): headless Chromium with name resolution
switched off renders every report of a small end-to-end run; each page must have text, tables and
figures, the figures must be painted, and the page must request nothing from the network.

Each page is opened twice: a copy with a small probe script (it records, after the load event,
whether each image decoded and where it is) is dumped as DOM; the page itself is screenshotted at
its full height. Both runs write Chromium's network log; the browser's own background requests
(updates, time) have no initiator, anything the page asks for has one.
"""

import json
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from shnor.paths import NOTEBOOKS_DIR
from shnor.pipeline.suite import run_suite
from shnor.synth.files import write_synthetic

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH = 1280
MAX_HEIGHT = 16000  # px; a taller page is screenshotted down to here
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--hide-scrollbars", '--host-resolver-rules=MAP * ~NOTFOUND']
BROWSER_INITIATED = "not an origin"  # net-log initiator of Chromium's own requests
PROBE = """<script>
window.addEventListener("load", () => {
  for (const img of document.images) {
    const r = img.getBoundingClientRect();
    img.dataset.probe = [img.complete && img.naturalWidth > 0 ? 1 : 0, r.left,
                         r.top + window.scrollY, r.width, r.height].map(Math.round).join(",");
  }
  document.documentElement.dataset.probeHeight = document.documentElement.scrollHeight;
});
</script>
"""
REPORTS = sorted(p.stem for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
PAGES = ["index", *REPORTS, "school_card"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium не установлен: тест отчётов в браузере пропущен "
                             "(установите пакет chromium)")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A full `shnor run` on a 40-school synthetic region (cheap clustering diagnostics)."""
    root = tmp_path_factory.mktemp("browser")
    data = write_synthetic(root / "region", n_schools=40, n_years=2, last_year=2024, seed=7)
    config = root / "fast.yaml"
    config.write_text("clustering:\n  k_max: 4\n  n_bootstrap: 3\n", encoding="utf-8")
    return run_suite(data, 2024, out=root / "report", config_file=config,
                     processed_root=root / "processed")


def page_path(report: Path, page: str) -> Path:
    if page == "school_card":
        cards = sorted((report / "schools").glob("*.html"))
        assert cards, "карточки школ не сформированы"
        return cards[0]
    return report / f"{page}.html"


class DomSummary(HTMLParser):
    """Text, tables, images and every URL-bearing attribute of a DOM dump."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.tables = 0
        self.rows = 0
        self.images: list[dict] = []
        self.links: list[str] = []
        self.height = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.links += [v for k, v in attrs if k in ("src", "href", "action", "poster") and v]
        if tag == "html":
            self.height = int(a.get("data-probe-height", 0))
        if tag in ("style", "script", "title"):
            self._skip += 1
        elif tag == "table":
            self.tables += 1
        elif tag == "tr":
            self.rows += 1
        elif tag == "img":
            self.images.append(a)

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())


@dataclass
class Rendered:
    dom: DomSummary
    screenshot: Path
    requests: list[str]  # URLs the page itself asked for


def chromium(args: list[str], work: Path, name: str) -> tuple[str, list[str]]:
    """Run Chromium once; return stdout and the URLs of page-initiated requests."""
    netlog = work / f"{name}.netlog.json"
    proc = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={work / (name + '.profile')}",
         f"--log-net-log={netlog}", *args],
        check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    events = json.loads(netlog.read_text(encoding="utf-8"))["events"]
    requests = [e["params"]["url"] for e in events
                if "url" in (e.get("params") or {}) and "initiator" in e["params"]
                and e["params"]["initiator"] != BROWSER_INITIATED]
    return proc.stdout, requests


@pytest.fixture(scope="module")
def render(report, tmp_path_factory):
    cache: dict[str, Rendered] = {}
    work = tmp_path_factory.mktemp("chromium")

    def _render(page: str) -> Rendered:
        if page not in cache:
            path = page_path(report, page)
            probe = path.with_name(f".probe-{path.name}")  # same folder: same relative links
            probe.write_text(path.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                             encoding="utf-8")
            try:
                out, probe_requests = chromium(
                    [f"--window-size={WIDTH},800", "--virtual-time-budget=5000", "--dump-dom",
                     probe.as_uri()], work, f"{page}-dom")
            finally:
                probe.unlink()
            dom = DomSummary()
            dom.feed(out)
            shot = work / f"{page}.png"
            height = min(max(dom.height, 800), MAX_HEIGHT)
            _, shot_requests = chromium(
                [f"--window-size={WIDTH},{height}", f"--screenshot={shot}", path.as_uri()],
                work, f"{page}-shot")
            cache[page] = Rendered(dom, shot, probe_requests + shot_requests)
        return cache[page]

    return _render


@pytest.mark.parametrize("page", PAGES)
def test_page_is_not_blank(render, page):
    dom = render(page).dom
    assert dom.height > 0, "скрипт-зонд не отработал: страница не загрузилась"
    text = " ".join(dom.text)
    assert len(text) > 500, text
    assert "Traceback" not in text and "Ошибка при выполнении" not in text
    assert dom.tables >= 1 and dom.rows >= 3
    if page in REPORTS:
        assert dom.images, "в отчёте нет ни одного рисунка"
    for img in dom.images:
        assert img["src"].startswith("data:image/"), img["src"][:80]


@pytest.mark.parametrize("page", PAGES)
def test_figures_are_painted(render, page):
    from PIL import Image

    r = render(page)
    shot = Image.open(r.screenshot).convert("RGB")
    assert shot.getcolors(maxcolors=1) is None, "снимок страницы одного цвета"
    for img in r.dom.images:
        decoded, left, top, width, height = map(int, img["data-probe"].split(","))
        assert decoded, "рисунок не декодирован браузером"
        assert width > 50 and height > 50, img["data-probe"]
        if top + height > shot.height:
            continue  # below the screenshot of a very long page
        crop = shot.crop((left + 2, top + 2, left + width - 2, top + height - 2))
        assert crop.getcolors(maxcolors=16) is None, \
            f"на месте рисунка ({img['data-probe']}) пустая область"  # > 16 colours


@pytest.mark.parametrize("page", PAGES)
def test_nothing_from_the_network(render, page):
    r = render(page)
    assert r.requests == [], r.requests
    external = [u for u in r.dom.links
                if u.split(":", 1)[0].lower() in ("http", "https", "ftp", "ws", "wss")
                or u.startswith("//")]
    assert external == [], external
