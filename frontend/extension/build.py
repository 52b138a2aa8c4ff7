"""Builds the browser extension (one code base, a folder or a ZIP per
browser) and the bookmarklet from `src/`, with no bundler: the scripts are
plain browser JavaScript joined in a fixed order, and the site's address is
written into them at build time.

    python -m frontend.extension.build --target chromium \
        --site https://threadnavigator.app --out build/chromium

The reader (selectors.js + reader.js) is the one module both the extension
and the bookmarklet run; everything X-specific stays in selectors.js.
"""

import argparse
import io
import json
import shutil
import sys
import urllib.parse
import zipfile
from pathlib import Path

SRC = Path(__file__).resolve().parent / "src"
TARGETS = ("chromium", "firefox")
VERSION = "1.0.0"
# The bookmarklet's placeholder for the site's address (src/bookmarklet.js).
SITE_PLACEHOLDER = '"__THREAD_NAVIGATOR_SITE__"'
# Pages the extension reads from, and the hosts of their pictures.
X_PAGES = ["https://x.com/*", "https://twitter.com/*", "https://mobile.twitter.com/*"]
X_PICTURES = ["https://pbs.twimg.com/*", "https://abs.twimg.com/*"]
# The site on a developer's machine, whatever the port.
DEVELOPMENT = ["http://127.0.0.1/*", "http://localhost/*"]
ICON_SIZES = (16, 32, 48, 128)
GECKO_MIN_VERSION = "128.0"  # background scripts + MV3 host permissions granted at install


def site_origin(site_url: str) -> str:
    """`https://example.org` from a site address, refusing what is not one."""
    parts = urllib.parse.urlsplit(site_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"The site address must start with http:// or https://, not {site_url!r}.")
    return f"{parts.scheme}://{parts.netloc}"


def site_pattern(site_url: str) -> str:
    """The site as a match pattern: without its port, which Firefox refuses
    in a pattern (and Chromium matches with any port then)."""
    parts = urllib.parse.urlsplit(site_origin(site_url))
    return f"{parts.scheme}://{parts.hostname}/*"


def source(name: str) -> str:
    return (SRC / name).read_text(encoding="utf-8")


def reader_source() -> str:
    """The shared reader: X's selectors, then the reader that uses them."""
    return source("selectors.js") + "\n" + source("reader.js")


def settings_line(*, target: str, site_url: str) -> str:
    """The one line that tells the extension's scripts where the site is."""
    config = {"site": site_origin(site_url), "target": target, "version": VERSION}
    return f"var ThreadNavigatorConfig = {json.dumps(config)};\n"


def content_script() -> str:
    """The reader, the panel's style (it lives in a shadow root, which the
    manifest's `css` cannot reach) and the script of the button and panel."""
    style = f"var ThreadNavigatorPanelStyle = {json.dumps(source('content.css'))};\n"
    return reader_source() + "\n" + style + source("content.js")


def manifest(*, target: str, site_url: str) -> dict:
    """Manifest V3; Chromium and Firefox differ only in how the background
    script runs and in Firefox's add-on id."""
    if target not in TARGETS:
        raise ValueError(f"The target must be one of {', '.join(TARGETS)}, not {target!r}.")
    site = site_origin(site_url)
    icons = {str(size): f"icons/icon-{size}.png" for size in ICON_SIZES}
    hosts = list(dict.fromkeys([*X_PAGES, *X_PICTURES, site_pattern(site), *DEVELOPMENT]))
    data: dict = {
        "manifest_version": 3,
        "name": "Thread Navigator",
        "version": VERSION,
        "description": "Save the thread you are reading on X, with its pictures, to your Thread Navigator "
        "account.",
        "icons": icons,
        "action": {"default_title": "Thread Navigator settings", "default_icon": icons},
        "options_ui": {"page": "options.html", "open_in_tab": True},
        "permissions": ["storage"],
        "host_permissions": hosts,
        # Another address for the site, typed in the settings, is asked for then.
        "optional_host_permissions": ["https://*/*", "http://*/*"],
        "content_scripts": [{"matches": X_PAGES, "js": ["content.js"], "run_at": "document_idle"}],
    }
    if target == "chromium":
        data["background"] = {"service_worker": "background.js"}
    else:
        data["background"] = {"scripts": ["background.js"]}
        host = urllib.parse.urlsplit(site).hostname
        data["browser_specific_settings"] = {
            "gecko": {
                "id": f"extension@{host}",
                "strict_min_version": GECKO_MIN_VERSION,
                # What it sends away: the thread on the page, to the user's account.
                "data_collection_permissions": {"required": ["websiteContent"]},
            }
        }
    return data


def extension_files(*, target: str, site_url: str) -> dict[str, bytes]:
    """Every file of the built extension, by its path inside it."""
    settings = settings_line(target=target, site_url=site_url)
    files = {
        "manifest.json": json.dumps(manifest(target=target, site_url=site_url), indent=2).encode(),
        "content.js": content_script().encode(),
        "background.js": (settings + source("background.js")).encode(),
        "options.html": source("options.html").encode(),
        "options.js": (settings + source("options.js")).encode(),
        "options.css": source("options.css").encode(),
    }
    for size in ICON_SIZES:
        files[f"icons/icon-{size}.png"] = (SRC / "icons" / f"icon-{size}.png").read_bytes()
    return files


def build_extension(*, target: str, site_url: str, out_dir: Path) -> Path:
    """Write the unpacked extension into `out_dir` (emptied first) and return it."""
    files = extension_files(target=target, site_url=site_url)
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    for name, content in files.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return out_dir


def extension_zip(*, target: str, site_url: str) -> bytes:
    """The extension as a ZIP, as browsers and add-on stores take it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(extension_files(target=target, site_url=site_url).items()):
            # A fixed date: the same sources make the same bytes.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def compact(script: str) -> str:
    """Drop indentation, blank lines and whole-line comments; lines stay
    apart, so the script means what it did (no minifier needed)."""
    lines = (line.strip() for line in script.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def bookmarklet(*, site_url: str) -> str:
    """The `javascript:` address of the bookmarklet: the reader and
    src/bookmarklet.js in one function, so nothing is left on x.com's page."""
    path = SRC / "bookmarklet.js"
    if not path.exists():
        raise FileNotFoundError(f"The bookmarklet's script is missing: {path} (see the extension README).")
    own = path.read_text(encoding="utf-8")
    if SITE_PLACEHOLDER not in own:
        raise ValueError(f"{path} must call its function with {SITE_PLACEHOLDER}, the site's address.")
    own = own.replace(SITE_PLACEHOLDER, json.dumps(site_origin(site_url)))
    script = compact(f"(function () {{\n{reader_source()}\n{own}\n}})();void 0;")
    return "javascript:" + urllib.parse.quote(script, safe="-_.!~*();/?:@&=+$,")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Thread Navigator browser extension.")
    parser.add_argument("--target", choices=TARGETS, required=True)
    parser.add_argument("--site", required=True, help="the site's address, e.g. https://threadnavigator.app")
    parser.add_argument(
        "--out", required=True, type=Path, help="the folder to write the unpacked extension to"
    )
    options = parser.parse_args(argv)
    try:
        out = build_extension(target=options.target, site_url=options.site, out_dir=options.out)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"Built the {options.target} extension for {site_origin(options.site)} in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
