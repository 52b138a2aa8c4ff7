// Carousel Studio's strip: one tile per slide. Only slides on or near the
// strip's view are drawn (IntersectionObserver); the others wait as
// placeholders of the slide's shape. A slide is fetched again only when
// what it shows changed, as /render/slides/ tells it (its words, posts,
// number and the style): typing the cover title redraws the cover alone.
// Each slide has at most one request in flight, and the newest version it
// was asked for wins; images are kept by what they show, so an undo brings
// one back without a request.
import { previewImage } from "./client.js";

// Previews in flight for the whole strip: the server renders on few cores,
// and the slides in view come first.
const MOST_AT_ONCE = 3;
// Images kept (object URLs of JPEG slides, about 100 KB each).
const MOST_KEPT = 240;
// Slides this far beyond the strip's edges are fetched before they show.
const AHEAD = "0px 400px";

// The same slide in another version (other words or style), as against
// another slide: the old image stays, dimmed, until the new one comes.
function sameSlide(one, other) {
  return one.role === other.role && one.slide === other.slide && one.posts.join() === other.posts.join();
}

export class SlideStrip {
  // `describe(slide)`: { name, label, edited } for the tile; `choose(page)`:
  // a tile was clicked; `selected(url, slide)`: the selected slide's image
  // changed (url null: not drawn yet); `busy(yes)`: slides in view are
  // still coming; `onWait`, `onError`: from the previews.
  constructor(element, { previewUrl, describe, choose, selected, busy, onWait, onError }) {
    this.element = element;
    this.previewUrl = previewUrl;
    this.hooks = { describe, choose, selected, busy, onWait, onError };
    this.tiles = [];
    this.byItem = new Map();
    this.kept = new Map(); // what a slide shows -> its image's URL, least recently used first
    this.loading = 0;
    this.current = 0;
    this.near = new IntersectionObserver((entries) => this.seen(entries, "near"), { root: element, rootMargin: AHEAD });
    this.inView = new IntersectionObserver((entries) => this.seen(entries, "inView"), { root: element });
  }

  // The slides of a new layout, for the request `body` (without page and
  // format) at the slide shape `ratio` ("4 / 5").
  show(slides, body, ratio) {
    const look = JSON.stringify({ ...body, carousel: undefined });
    while (this.tiles.length < slides.length) this.add();
    for (const tile of this.tiles.splice(slides.length)) this.remove(tile);
    slides.forEach((slide, index) => this.dress(this.tiles[index], slide, {
      key: JSON.stringify([look, slides.length, slide]),
      body: { ...body, page: slide.page, format: "jpeg" },
      ratio,
    }));
    this.pump();
  }

  select(page) {
    this.current = page;
    this.tiles.forEach((tile, index) => tile.pick.setAttribute("aria-current", index + 1 === page));
    const tile = this.tiles[page - 1];
    this.scrollTo(tile.item);
    this.hooks.selected(tile.shown ? this.kept.get(tile.shown) : null, tile.slide);
    this.pump();
  }

  // Only the strip scrolls: scrollIntoView would also scroll the page.
  scrollTo(item) {
    const { offsetLeft: left, offsetWidth: width } = item;
    const strip = this.element;
    if (left < strip.scrollLeft || left + width > strip.scrollLeft + strip.clientWidth) {
      strip.scrollLeft = left - (strip.clientWidth - width) / 2;
    }
  }

  add() {
    const img = Object.assign(document.createElement("img"), { alt: "" });
    const mark = Object.assign(document.createElement("span"), { className: "thumb-mark", textContent: "✎" });
    mark.setAttribute("aria-hidden", "true");
    const pick = Object.assign(document.createElement("button"), { type: "button", className: "thumb" });
    pick.append(img, mark);
    const item = document.createElement("div");
    item.setAttribute("role", "listitem");
    item.append(pick);
    const tile = { item, pick, img, mark, slide: null, key: null, shown: null, ratio: null, loading: false };
    pick.addEventListener("click", () => this.hooks.choose(tile.slide.page));
    this.element.append(item);
    this.byItem.set(item, tile);
    this.near.observe(item);
    this.inView.observe(item);
    this.tiles.push(tile);
  }

  remove(tile) {
    this.near.unobserve(tile.item);
    this.inView.unobserve(tile.item);
    this.byItem.delete(tile.item);
    tile.item.remove();
  }

  dress(tile, slide, { key, body, ratio }) {
    const { name, label, edited } = this.hooks.describe(slide);
    tile.item.setAttribute("aria-label", name);
    tile.item.dataset.page = slide.page;
    // A post's slide can be dragged onto another post's to move that post.
    const post = slide.role === "post" && slide.posts.length === 1 ? slide.posts[0] : null;
    tile.item.draggable = post !== null;
    if (post === null) delete tile.item.dataset.post;
    else tile.item.dataset.post = post;
    tile.pick.setAttribute("aria-label", label);
    tile.mark.hidden = !edited;
    const same = tile.slide && sameSlide(tile.slide, slide) && tile.ratio === ratio;
    Object.assign(tile, { slide, body, ratio });
    tile.img.style.aspectRatio = ratio;
    if (tile.key === key) return;
    tile.key = key;
    const url = this.recall(key);
    if (url) this.paint(tile, key, url);
    else if (!same) this.paint(tile, null, null);
    else tile.item.dataset.state = "stale";
  }

  paint(tile, key, url) {
    tile.shown = key;
    if (url) tile.img.src = url;
    else tile.img.removeAttribute("src");
    tile.item.dataset.state = !url ? "waiting" : key === tile.key ? "ready" : "stale";
    if (tile === this.tiles[this.current - 1]) this.hooks.selected(url, tile.slide);
  }

  seen(entries, flag) {
    for (const entry of entries) {
      const tile = this.byItem.get(entry.target);
      if (tile) tile[flag] = entry.isIntersecting;
    }
    this.pump();
  }

  // What to fetch next: the selected slide, then those in view, each in
  // the strip's order; those near the view only once these are all in
  // (fetched alongside, they would slow the ones the user looks at).
  pump() {
    const first = (tile) => tile.inView || tile.slide.page === this.current;
    const rank = (tile) => (tile.slide.page === this.current ? 0 : tile.slide.page);
    const due = this.tiles.filter((tile) => this.wanted(tile) && !tile.loading && tile.failed !== tile.key);
    const looking = this.tiles.some((tile) => first(tile) && tile.loading) || due.some(first);
    const next = (looking ? due.filter(first) : due).sort((one, other) => rank(one) - rank(other));
    for (const tile of next.slice(0, Math.max(MOST_AT_ONCE - this.loading, 0))) this.load(tile);
    this.hooks.busy(looking);
  }

  wanted(tile) {
    return tile.shown !== tile.key && (tile.inView || tile.near || tile.slide.page === this.current);
  }

  async load(tile) {
    const { key, body, slide, ratio } = tile;
    tile.loading = true;
    this.loading += 1;
    try {
      const { blob } = await previewImage(this.previewUrl, body, undefined, this.hooks.onWait);
      const url = this.keep(key, URL.createObjectURL(blob));
      // An older version of the slide still wanted anew shows while the newest comes.
      const newer = tile.shown !== tile.key && sameSlide(slide, tile.slide) && ratio === tile.ratio;
      if (tile.key === key || newer) this.paint(tile, key, url);
    } catch (error) {
      tile.failed = key;
      this.hooks.onError(error);
    } finally {
      tile.loading = false;
      this.loading -= 1;
      this.pump();
    }
  }

  keep(key, url) {
    if (this.kept.has(key)) {
      URL.revokeObjectURL(url);
      return this.recall(key);
    }
    this.kept.set(key, url);
    for (const [old, oldUrl] of this.kept) {
      if (this.kept.size <= MOST_KEPT) break;
      if (this.tiles.some((tile) => tile.shown === old)) continue;
      this.kept.delete(old);
      URL.revokeObjectURL(oldUrl);
    }
    return url;
  }

  recall(key) {
    const url = this.kept.get(key);
    if (url) {
      this.kept.delete(key);
      this.kept.set(key, url);
    }
    return url;
  }
}
