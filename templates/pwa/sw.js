// Finora's service worker (rendered by finora/web/pwa/views.py; scope: the whole app).
//
// - Static files (/static/, /assets/): cache first, in a cache named for this version, so a
//   new release (a new worker) replaces them; activation deletes every older cache.
// - Pages (navigations): the network first. Without a network: the copy kept on this
//   device, only when its person chose "keep the pages I open available offline" and the
//   page is a read-only one (dashboard, forecast, reports); otherwise the offline page.
// - Never kept: anything but GET, the API, sign-in and sign-out, the profile, downloads.
// - The choice lives in the pages: the page cache exists only while the choice is on, and
//   every page tells the worker the choice again (pwa.js), so a new version picks it up.
// - Sign-out (and reaching the sign-in page) deletes the kept pages.
"use strict";

const VERSION = {{ version|tojson }};
const STATIC_CACHE = "finora-static-" + VERSION;
const PAGES_CACHE = "finora-pages-" + VERSION;
const OFFLINE_URL = {{ offline_url|tojson }};
const START_URL = {{ start_url|tojson }};
const PRECACHE = {{ precache|tojson }};
const OFFLINE_PAGES = {{ offline_pages|tojson }}.map((pattern) => new RegExp(pattern));
const DASHBOARD = /^\/dashboard\/\d{4}\/\d{1,2}$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name !== STATIC_CACHE && name !== PAGES_CACHE)
          .map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "offline-pages") {
    event.waitUntil(message.keep ? caches.open(PAGES_CACHE) : caches.delete(PAGES_CACHE));
  } else if (message.type === "language") {
    event.waitUntil(refreshOfflinePage(message.language));
  } else if (message.type === "sign-out") {
    event.waitUntil(deleteEverything());
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/assets/")) {
    event.respondWith(staticFile(request));
  }
});

async function staticFile(request) {
  const cache = await caches.open(STATIC_CACHE);
  const kept = await cache.match(request, { ignoreSearch: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function page(request, url) {
  const readOnly = OFFLINE_PAGES.some((pattern) => pattern.test(url.pathname));
  try {
    const response = await fetch(request);
    if (url.pathname === "/login") {
      await caches.delete(PAGES_CACHE); // whoever reaches sign-in is signed out
    } else if (readOnly && response.ok && response.type === "basic" && await caches.has(PAGES_CACHE)) {
      const cache = await caches.open(PAGES_CACHE);
      await cache.put(request, response.clone());
      // The app opens at /dashboard, which only redirects: the last month seen stands in.
      if (DASHBOARD.test(url.pathname)) await cache.put(START_URL, response.clone());
    }
    return response;
  } catch (error) {
    if (await caches.has(PAGES_CACHE)) {
      const cache = await caches.open(PAGES_CACHE);
      const key = url.pathname === "/" ? START_URL : request;
      const kept = readOnly || url.pathname === "/" ? await cache.match(key, { ignoreVary: true }) : null;
      if (kept) return kept;
    }
    const offline = await caches.match(OFFLINE_URL, { cacheName: STATIC_CACHE });
    return offline || Response.error();
  }
}

async function refreshOfflinePage(language) {
  const cache = await caches.open(STATIC_CACHE);
  const kept = await cache.match(OFFLINE_URL);
  if (kept && kept.headers.get("Content-Language") === language) return;
  const response = await fetch(OFFLINE_URL);
  if (response.ok) await cache.put(OFFLINE_URL, response);
}

async function deleteEverything() {
  const names = await caches.keys();
  await Promise.all(names.map((name) => caches.delete(name)));
}
