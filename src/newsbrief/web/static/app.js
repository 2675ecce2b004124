// newsbrief reader site: the in-place summary. Plain JavaScript, no build step.
// Summaries come from the JSON API and are inserted with textContent only: article text is
// untrusted and must never be parsed as HTML.
"use strict";

(function () {
  // How long the panel waits for a summary before it gives up and offers Retry: above the
  // server's own 120 s LLM timeout (--llm-timeout's default), so that a model that fails says
  // why first. The server goes on with a summary it has started and stores it, so Retry
  // after a timeout waits for that same computation or gets its stored result.
  var SUMMARY_TIMEOUT_MS = 150000;
  // The labels, in the article's language: the page carries them (newsbrief/data/strings.json,
  // the table the embeddable button uses too); English when it does not.
  var T = {
    get: "Get a summary", hide: "Hide summary", loading: "Making the summary…",
    unsupported: "(not found in the article)", failed: "Could not make a summary: {message}",
    failed_status: "Could not make a summary (HTTP {status}).",
    unreachable: "Could not make a summary: the server could not be reached.",
    timeout: "Could not make a summary: no answer within {seconds} seconds.",
    still_showing: "Still showing the {length} summary.",
    fallback: "The {method} method gave no summary ({reason}), so these are sentences picked " +
      "from the article by {fallback}.",
    extractive: "extractive", abstractive: "abstractive", lang: "en"
  };
  var carrier = document.querySelector("[data-labels]");
  if (carrier) {
    try {
      var given = JSON.parse(carrier.getAttribute("data-labels"));
      Object.keys(T).forEach(function (key) {
        if (typeof given[key] === "string") T[key] = given[key];
      });
    } catch (ignored) { /* keep English */ }
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values[name] !== undefined ? String(values[name]) : all;
    });
  }
  // What a reader does to go elsewhere on the page (scrolling by script fires none of them).
  var READER_MOVES = ["wheel", "touchstart", "keydown", "mousedown"];
  var cache = {};
  var requests = 0;

  // An error whose message is ready to show as it is.
  function failure(message) {
    var error = new Error(message);
    error.userMessage = message;
    return error;
  }

  function parse(text) {
    try {
      return JSON.parse(text);
    } catch (ignored) {
      return undefined;
    }
  }

  // Read the body as text first: a proxy's 502 page is HTML, and response.json() would
  // report a JSON syntax error instead of the status.
  function readAnswer(response) {
    return response.text().then(function (text) {
      var body = parse(text);
      if (!response.ok) {
        var message = body && body.error && body.error.message;
        throw failure(message
          ? fill(T.failed, { message: message })
          : fill(T.failed_status, { status: response.status }));
      }
      if (!body || !Array.isArray(body.sentences)) {
        throw failure(fill(T.failed_status, { status: response.status }));
      }
      return body;
    });
  }

  function fetchSummary(url, sentences) {
    var key = url + "|" + sentences;
    if (!cache[key]) {
      var query = "?format=bullets&sentences=" + encodeURIComponent(sentences);
      var controller = new AbortController();
      var timer = setTimeout(function () { controller.abort(); }, SUMMARY_TIMEOUT_MS);
      cache[key] = fetch(url + query, {
        headers: { Accept: "application/json" },
        signal: controller.signal,
      })
        .then(readAnswer)
        .catch(function (error) {
          if (controller.signal.aborted) {
            throw failure(fill(T.timeout, { seconds: SUMMARY_TIMEOUT_MS / 1000 }));
          }
          if (error.userMessage) throw error;
          throw failure(T.unreachable);
        })
        .finally(function () { clearTimeout(timer); });
      // A failure is not kept: Retry, or choosing the length again, asks the server anew.
      cache[key].catch(function () { delete cache[key]; });
    }
    return cache[key];
  }

  function highlight(index) {
    document.querySelectorAll(".s.highlight").forEach(function (el) {
      el.classList.remove("highlight");
    });
    var target = document.getElementById("s-" + index);
    if (target) {
      target.classList.add("highlight");
      target.setAttribute("tabindex", "-1");
    }
    return target;
  }

  function render(panel, summary) {
    var list = panel.querySelector(".summary-bullets");
    list.replaceChildren();
    summary.sentences.forEach(function (sentence) {
      var item = document.createElement("li");
      if (sentence.index !== null && sentence.index !== undefined) {
        var link = document.createElement("a");
        link.href = "#s-" + sentence.index;
        link.dataset.index = String(sentence.index);
        link.textContent = sentence.text;
        item.appendChild(link);
      } else {
        item.textContent = sentence.text;
        if (sentence.supported === false) {
          // A text label, as on the no-JavaScript page: colour alone tells nothing to many.
          item.classList.add("unsupported");
          var label = document.createElement("span");
          label.className = "unsupported-label";
          label.lang = T.lang;
          label.textContent = T.unsupported;
          item.append(" ", label);
        }
      }
      list.appendChild(item);
    });
    panel.querySelector(".summary-method-name").textContent = summary.method;
    panel.querySelector(".summary-method-kind").textContent = T[summary.kind] || summary.kind;
    var fallback = summary.info && summary.info.fallback;
    return fallback
      ? fill(T.fallback, { method: summary.method, reason: fallback.reason,
        fallback: fallback.method })
      : "";
  }

  function lengthButton(panel, sentences) {
    var found = null;
    panel.querySelectorAll(".summary-length").forEach(function (b) {
      if (b.dataset.sentences === String(sentences)) found = b;
    });
    return found;
  }

  function press(panel, sentences) {
    panel.querySelectorAll(".summary-length").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.sentences === String(sentences) ? "true" : "false");
    });
  }

  // Fetch and show the summary of `sentences` sentences; resolve true when it was shown.
  // Only the latest request of a panel may change it: an older, slower answer (Long clicked,
  // then Short) is dropped, so the bullets always match the pressed length.
  function load(panel, url, sentences) {
    var id = String(++requests);
    var status = panel.querySelector(".summary-status");
    var retry = panel.querySelector(".summary-retry");
    panel.dataset.request = id;
    press(panel, sentences);
    // Retry hides itself: keep a keyboard reader's place in the panel, not back at the top.
    if (document.activeElement === retry) panel.focus({ preventScroll: true });
    retry.hidden = true;
    status.classList.remove("error");
    status.textContent = T.loading;
    panel.setAttribute("aria-busy", "true");
    return fetchSummary(url, sentences)
      .then(function (summary) {
        if (panel.dataset.request !== id) return false;
        status.textContent = render(panel, summary);
        panel.dataset.loaded = String(sentences);
        return true;
      })
      .catch(function (error) {
        if (panel.dataset.request !== id) return false;
        var message = error.userMessage || fill(T.failed, { message: error.message });
        // The bullets of the length shown before stay; press that length again so that
        // what is pressed is what is shown.
        var shown = panel.dataset.loaded && lengthButton(panel, panel.dataset.loaded);
        if (shown && panel.dataset.loaded !== String(sentences)) {
          press(panel, panel.dataset.loaded);
          message += " " + fill(T.still_showing, { length: shown.textContent.trim() });
        }
        status.textContent = message;
        status.classList.add("error");
        retry.dataset.sentences = String(sentences);
        retry.hidden = false;
        return false;
      })
      .finally(function () {
        if (panel.dataset.request === id) panel.removeAttribute("aria-busy");
      });
  }

  function reducedMotion() {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // Bring the panel into view; "nearest" leaves the page where it is when it already shows.
  function reveal(panel) {
    panel.scrollIntoView({ block: "nearest", behavior: reducedMotion() ? "auto" : "smooth" });
  }

  function label(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var text = button.querySelector(".summary-button-a");
    if (text) text.textContent = open ? T.hide : T.get;
  }

  function toggle(button) {
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (!panel) return;
    var open = button.getAttribute("aria-expanded") === "true";
    label(button, !open);
    panel.hidden = open;
    if (open) return;
    var pressed = panel.querySelector(".summary-length[aria-pressed='true']");
    var sentences = pressed ? pressed.dataset.sentences : button.dataset.sentences;
    panel.dataset.url = button.dataset.summaryUrl;
    panel.focus({ preventScroll: true });
    reveal(panel);
    if (panel.dataset.loaded !== String(sentences)) {
      var moved = false;
      var onMove = function () { moved = true; };
      READER_MOVES.forEach(function (name) {
        window.addEventListener(name, onMove, { passive: true });
      });
      load(panel, button.dataset.summaryUrl, sentences).then(function (shown) {
        READER_MOVES.forEach(function (name) { window.removeEventListener(name, onMove); });
        // The bullets made the panel taller: bring them into view too, unless the reader
        // has moved on meanwhile (a model can take a while) or the panel is taller than the
        // window ("nearest" would then scroll its top to the window's top).
        if (shown && !moved && !panel.hidden &&
            panel.getBoundingClientRect().height <= window.innerHeight) {
          reveal(panel);
        }
      });
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var button = target.closest(".summary-button");
    if (button) {
      event.preventDefault(); // the form is the no-JavaScript fallback
      toggle(button);
      return;
    }
    var length = target.closest(".summary-panel .summary-length, .summary-panel .summary-retry");
    if (length) {
      var panel = length.closest(".summary-panel");
      load(panel, panel.dataset.url, length.dataset.sentences);
      return;
    }
    var link = target.closest(".summary-bullets a[data-index]");
    if (link) {
      // Let the browser follow #s-N (scroll, :target); also mark it for the highlight class.
      var sentence = highlight(link.dataset.index);
      if (sentence) sentence.focus({ preventScroll: true });
    }
  });

  // Arriving with #s-N (e.g. from the no-JavaScript summary page): highlight that sentence.
  if (/^#s-\d+$/.test(window.location.hash)) {
    highlight(window.location.hash.slice(3));
  }
})();
