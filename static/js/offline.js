// Registers the service worker (served at /sw.js so it may answer for the whole site): it
// keeps the static files for quick repeat visits and shows a friendly page when offline.
const script = document.querySelector("script[data-worker]");
if ("serviceWorker" in navigator && script && window.isSecureContext) {
  navigator.serviceWorker.register(script.dataset.worker).catch(() => {
    // no worker: the site works as before, only without the offline page
  });
}
