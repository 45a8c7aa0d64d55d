// The job page's log card: shows the log's tail, then asks for what came after the last
// cursor every two seconds until the run has ended and the log is complete. Stays at the
// bottom unless the reader scrolled up; counts the run's duration up while it runs.
(function () {
  "use strict";
  const card = document.getElementById("job-log");
  const pre = document.getElementById("job-log-lines");
  const state = document.getElementById("job-log-state");
  if (!card || !pre || !window.fetch) return;
  const url = card.dataset.logsUrl;
  const tail = parseInt(card.dataset.tail, 10) || 500;
  const KEEP = 5000; // lines kept on the page; older ones scroll away
  const POLL_MS = 2000;
  const BUSY_MS = 10000;
  let cursor = null;
  let shown = 0;

  function atBottom() {
    return pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
  }

  function append(lines) {
    if (!lines.length) return;
    const follow = atBottom();
    const text = (shown ? "\n" : "") + lines.join("\n");
    pre.appendChild(document.createTextNode(text));
    shown += lines.length;
    if (shown > KEEP) {
      // Drop the oldest lines in one go: rebuild from the text that stays.
      const kept = pre.textContent.split("\n").slice(-KEEP);
      pre.textContent = kept.join("\n");
      shown = kept.length;
    }
    if (follow) pre.scrollTop = pre.scrollHeight;
  }

  function say(text, isError) {
    state.textContent = text;
    state.className = isError ? "error" : "muted";
  }

  async function poll() {
    const query = cursor === null ? "?tail=" + tail : "?tail=2000&after=" + encodeURIComponent(cursor);
    let delay = POLL_MS;
    try {
      const response = await fetch(url + query, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        const message = (body.error && body.error.message) || "HTTP " + response.status;
        if (response.status === 404 || response.status === 403) {
          say(message, true);
          return; // nothing to follow
        }
        say(message, true);
        delay = BUSY_MS;
      } else {
        append(body.lines || []);
        cursor = body.cursor;
        if (body.complete) {
          say(shown ? "complete (" + body.source + ")" : "the run wrote no log", false);
          return;
        }
        // A full page means more is waiting: ask again at once.
        delay = (body.lines || []).length >= 2000 ? 0 : POLL_MS;
        say("following (" + body.source + ")", false);
      }
    } catch (error) {
      say("cannot reach the hub; retrying", true);
      delay = BUSY_MS;
    }
    setTimeout(poll, delay);
  }

  // A running job's duration counts up to now.
  const times = document.getElementById("job-times");
  const duration = document.getElementById("job-duration");
  if (times && duration && times.dataset.startedAt && !times.dataset.finishedAt) {
    const started = Date.parse(times.dataset.startedAt);
    const show = () => {
      const seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
      const m = Math.floor(seconds / 60), s = seconds % 60, h = Math.floor(m / 60);
      duration.textContent = seconds < 60 ? seconds + " s"
        : m < 60 ? m + " min " + String(s).padStart(2, "0") + " s"
        : h + " h " + String(m % 60).padStart(2, "0") + " min";
    };
    if (!isNaN(started)) setInterval(show, 1000);
  }

  poll();
})();
