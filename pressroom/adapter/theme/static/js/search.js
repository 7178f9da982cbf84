// The search page's results: Pagefind's JavaScript API over this site's own index, with this
// page's markup (Pagefind's UI styles itself inline, which the Content-Security-Policy forbids).
// Everything is fetched from the site itself: pagefind/pagefind.js, then the index of the
// language of <html lang>. Without this script (or when the index cannot be loaded) the page
// keeps its plain list of links. Result text is written as text: only Pagefind's <mark> is kept.
const root = document.getElementById("search");
const form = root.querySelector("form");
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const browse = document.getElementById("search-browse");
const MAX_RESULTS = 20;
let pagefind = null;
let asked = 0;

function say(text) {
  status.textContent = text;
}

function counted(count) {
  if (count === 0) return root.dataset.none;
  if (count === 1) return root.dataset.one;
  return root.dataset.many.replace("{count}", count.toLocaleString(document.documentElement.lang));
}

// Pagefind's excerpt is HTML-escaped text with <mark> around the matched words: parsed
// inertly, and rebuilt from its text and <mark> elements only.
function excerpt(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const out = document.createElement("p");
  for (const node of doc.body.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.append(mark);
    } else {
      out.append(document.createTextNode(node.textContent));
    }
  }
  return out;
}

function show(results) {
  const items = results.map((data) => {
    const item = document.createElement("li");
    const heading = document.createElement("h2");
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    heading.append(link);
    item.append(heading, excerpt(data.excerpt || ""));
    return item;
  });
  list.replaceChildren(...items);
}

async function load() {
  const module = new URL(root.dataset.index, document.baseURI).href;
  const found = await import(module);
  // Result URLs under the site's own path (a site may live below its host's root).
  const base = new URL(root.dataset.base, document.baseURI).pathname;
  await found.options({ baseUrl: base, excerptLength: 30 });
  await found.init();
  return found;
}

// Pagefind is loaded on the first search (the page itself needs none of it): one promise.
let loading = null;

function ready() {
  loading = loading || load().then((found) => (pagefind = found));
  return loading;
}

async function run(query, retried = false) {
  const mine = ++asked;
  if (!query.trim()) {
    list.replaceChildren();
    say("");
    return;
  }
  say(root.dataset.searching);
  await ready();
  try {
    const search = await pagefind.search(query);
    const results = await Promise.all(search.results.slice(0, MAX_RESULTS).map((r) => r.data()));
    if (mine !== asked) return; // a newer query is on its way
    show(results);
    say(counted(search.results.length));
  } catch (error) {
    // The index was replaced while this page was open (a publish): load the new one, once.
    if (!retried) {
      await pagefind.destroy();
      loading = null;
      return run(query, true);
    }
    throw error;
  }
}

function unavailable() {
  form.hidden = true;
  list.replaceChildren();
  browse.hidden = false;
  say(root.dataset.unavailable);
}

function start() {
  form.hidden = false;
  browse.hidden = true;
  form.addEventListener("submit", (event) => event.preventDefault());
  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value).catch(unavailable), 150);
  });
  input.addEventListener("focus", () => ready().catch(unavailable), { once: true });
  const query = new URLSearchParams(location.search).get("q");
  if (query) {
    input.value = query;
    run(query).catch(unavailable);
  }
}

start();
