// newsbrief reader site: the in-place summary. Plain JavaScript, no build step.
// Summaries come from the JSON API and are inserted with textContent only: article text is
// untrusted and must never be parsed as HTML.
"use strict";

(function () {
  var cache = {};

  function fetchSummary(url, sentences) {
    var key = url + "|" + sentences;
    if (!cache[key]) {
      var query = "?format=bullets&sentences=" + encodeURIComponent(sentences);
      cache[key] = fetch(url + query, { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) {
              var message = body && body.error ? body.error.message : "HTTP " + response.status;
              throw new Error(message);
            }
            return body;
          });
        });
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
          label.lang = "en";
          label.textContent = "(not found in the article)";
          item.append(" ", label);
        }
      }
      list.appendChild(item);
    });
    panel.querySelector(".summary-method-name").textContent = summary.method;
    panel.querySelector(".summary-method-kind").textContent = summary.kind;
    var fallback = summary.info && summary.info.fallback;
    return fallback
      ? "The " + summary.method + " method gave no summary (" + fallback.reason +
        "), so these are sentences picked from the article by " + fallback.method + "."
      : "";
  }

  function load(panel, url, sentences) {
    var status = panel.querySelector(".summary-status");
    status.textContent = "Making the summary…";
    panel.setAttribute("aria-busy", "true");
    return fetchSummary(url, sentences)
      .then(function (summary) {
        status.textContent = render(panel, summary);
        panel.dataset.loaded = String(sentences);
      })
      .catch(function (error) {
        status.textContent = "Could not make a summary: " + error.message;
      })
      .finally(function () {
        panel.removeAttribute("aria-busy");
      });
  }

  function toggle(button) {
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (!panel) return;
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    panel.hidden = open;
    if (open) return;
    var pressed = panel.querySelector(".summary-length[aria-pressed='true']");
    var sentences = pressed ? pressed.dataset.sentences : button.dataset.sentences;
    panel.dataset.url = button.dataset.summaryUrl;
    if (panel.dataset.loaded !== String(sentences)) {
      load(panel, button.dataset.summaryUrl, sentences);
    }
    panel.focus({ preventScroll: true });
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
    var length = target.closest(".summary-panel .summary-length");
    if (length) {
      var panel = length.closest(".summary-panel");
      panel.querySelectorAll(".summary-length").forEach(function (b) {
        b.setAttribute("aria-pressed", b === length ? "true" : "false");
      });
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
