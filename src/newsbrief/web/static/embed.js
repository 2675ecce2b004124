// newsbrief's embeddable button: <newsbrief-summary>, "No time to read? Get a summary" on a
// publisher's own page. Plain JavaScript, no framework, no build step. Everything lives in a
// shadow root (the page's CSS cannot reach it, its CSS cannot reach the page); styles are a
// constructed stylesheet and the DOM is built node by node, so a page whose CSP forbids
// inline styles and scripts (or requires Trusted Types) needs nothing more than to allow this
// server in script-src and connect-src. Summary text is untrusted: it only ever goes into
// textContent. Nothing here may throw into the page: every failure becomes a message.
(function () {
  "use strict";
  var TAG = "newsbrief-summary";
  if (!window.customElements || window.customElements.get(TAG)) return;

  // Where this script came from is where the summaries come from.
  var script = document.currentScript ||
    document.querySelector('script[src*="/embed.js"]');
  var BASE = script ? String(script.src).replace(/embed\.js(?:[?#].*)?$/, "") : "/";
  // Above the server's LLM timeout (120 s by default), as on the reader site.
  var TIMEOUT_MS = 150000;
  var LENGTHS = ["short", "medium", "long"];
  var EN = {
    dir: "ltr", question: "No time to read?", get: "Get a summary", hide: "Hide summary",
    heading: "Automatically generated summary", lengths: "Summary length", short: "Short",
    medium: "Medium", long: "Long", loading: "Making the summary…", retry: "Retry",
    how: "How was this made?",
    how_made_extractive: "This summary was made on this server, offline, by the {method} method.",
    how_made_abstractive: "This summary was written on this server by the {method} method.",
    how_extractive: "Each point is a sentence copied word for word from the article, in the " +
      "article's order; nothing is rewritten.",
    how_abstractive: "A model wrote it in its own words, so it can contain mistakes the " +
      "article does not; sentences the faithfulness check could not match to the article " +
      "are marked.",
    how_caveat: "Automatic summaries can leave out what matters to you. Read the article " +
      "for the full story.",
    method: "Method: {method} ({kind})", extractive: "extractive", abstractive: "abstractive",
    unsupported: "(not found in the article)", failed: "Could not make a summary: {message}",
    failed_status: "Could not make a summary (HTTP {status}).",
    unreachable: "Could not make a summary: the server could not be reached.",
    timeout: "Could not make a summary: no answer within {seconds} seconds.",
    unavailable: "There is no summary of this page yet.",
    still_showing: "Still showing the {length} summary.",
    fallback: "The {method} method gave no summary ({reason}), so these are sentences " +
      "picked from the article by {fallback}."
  };
  var CSS = [
    ":host{display:block;margin:16px 0}",
    ":host([hidden]){display:none}",
    ".box{all:initial;display:block;box-sizing:border-box;max-width:100%;",
    "font:400 var(--newsbrief-font-size,16px)/1.5 var(--newsbrief-font,system-ui,-apple-system,",
    "'Segoe UI',Roboto,'Noto Sans',sans-serif);color:var(--newsbrief-fg,#1b1d21);",
    "text-align:start;overflow-wrap:anywhere}",
    ".box *{box-sizing:border-box}",
    "button{font:inherit;cursor:pointer;margin:0;border-radius:var(--newsbrief-radius,8px);",
    "border:1px solid var(--newsbrief-accent,#0b5cad);max-width:100%}",
    "button:focus-visible,.how summary:focus-visible{outline:3px solid ",
    "var(--newsbrief-focus,#f59e0b);outline-offset:2px}",
    ".button{display:inline-flex;flex-direction:column;align-items:flex-start;",
    "text-align:start;padding:.55em 1em;background:var(--newsbrief-accent-bg,#eaf2fb);",
    "color:var(--newsbrief-fg,#1b1d21)}",
    ".q{font-size:.85em;color:var(--newsbrief-muted,#5b6270)}",
    ".a{font-weight:700;color:var(--newsbrief-accent,#0b5cad)}",
    ".button[aria-expanded=true]{background:var(--newsbrief-accent,#0b5cad)}",
    ".button[aria-expanded=true] .q,.button[aria-expanded=true] .a{color:#fff}",
    ".panel{margin-top:.75em;padding:.75em 1em;border:1px solid var(--newsbrief-line,#dcdfe4);",
    "border-inline-start:4px solid var(--newsbrief-accent,#0b5cad);",
    "border-radius:var(--newsbrief-radius,8px);background:var(--newsbrief-bg,#fff)}",
    ".panel[hidden],[hidden]{display:none}",
    ".panel:focus{outline:none}",
    "h2{font-size:1em;font-weight:700;text-transform:uppercase;letter-spacing:.04em;",
    "color:var(--newsbrief-muted,#5b6270);margin:0 0 .5em;line-height:1.3}",
    // Spacing letters apart breaks the joined scripts (Arabic, Persian) and helps no other.
    "[dir=rtl] h2{letter-spacing:0}",
    ".lengths{display:flex;gap:.5em;flex-wrap:wrap;align-items:center}",
    ".length,.retry{padding:.2em .7em;background:var(--newsbrief-bg,#fff);",
    "color:var(--newsbrief-accent,#0b5cad)}",
    ".length[aria-pressed=true]{background:var(--newsbrief-accent,#0b5cad);color:#fff}",
    ".status{margin:.5em 0}.status:empty{display:none}",
    ".status.error{color:var(--newsbrief-error,#a4161a);font-weight:600}",
    ".retry{margin:0 0 .5em}",
    "ul{padding-inline-start:1.25em;margin:.75em 0}li{margin:.4em 0}",
    ".unsupported{color:var(--newsbrief-muted,#5b6270);font-style:italic}",
    ".label{font-style:normal;font-weight:600;font-size:.85em}",
    ".method,.how p{color:var(--newsbrief-muted,#5b6270);font-size:.9em;margin:.5em 0}",
    ".how summary{cursor:pointer;color:var(--newsbrief-accent,#0b5cad)}",
    "@media (prefers-reduced-motion:no-preference){.panel{animation:nb-in .15s ease-out}}",
    "@keyframes nb-in{from{opacity:0}to{opacity:1}}"
  ].join("");

  var labelTables = {};
  var answers = {};
  var sheet = null;

  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (all, name) {
      return values && values[name] !== undefined ? String(values[name]) : all;
    });
  }

  function languageOf(element) {
    var holder = element.closest("[lang]");
    var tag = (holder && holder.getAttribute("lang")) || document.documentElement.lang || "";
    var match = /^([a-z]{2,3})(?:[-_]|$)/i.exec(tag.trim());
    var code = match ? match[1].toLowerCase() : "en";
    return { iw: "he", "in": "id" }[code] || code;
  }

  // One request per language for the whole page; English when the server has none (it
  // answers English for a language it lacks) or cannot be reached.
  function labelsFor(code) {
    if (code === "en") return Promise.resolve(EN);
    if (!labelTables[code]) {
      labelTables[code] = fetch(BASE + "embed/strings/" + encodeURIComponent(code) + ".json", {
        credentials: "omit", headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : EN;
      }).then(function (table) {
        return table && typeof table.get === "string" ? table : EN;
      }, function () { return EN; });
    }
    return labelTables[code];
  }

  function pageUrl(element) {
    var given = element.getAttribute("url");
    var link = document.querySelector('link[rel~="canonical"][href]');
    var raw = given || (link && link.href) || location.href;
    try {
      var url = new URL(raw, location.href);
      url.hash = "";
      return url.href;
    } catch (ignored) {
      return location.href.split("#")[0];
    }
  }

  function failure(text) {
    var error = new Error(text);
    error.shown = text;
    return error;
  }

  // Read the body as text first: a proxy's error page is HTML, not our JSON.
  function readAnswer(response, t) {
    return response.text().then(function (text) {
      var body;
      try { body = JSON.parse(text); } catch (ignored) { body = undefined; }
      var error = body && body.error;
      if (!response.ok) {
        if (error && error.code === "origin_not_allowed") throw failure(t.unavailable);
        throw failure(error && error.message
          ? fill(t.failed, { message: error.message })
          : fill(t.failed_status, { status: response.status }));
      }
      if (!body || !Array.isArray(body.sentences)) {
        throw failure(fill(t.failed_status, { status: response.status }));
      }
      return body;
    });
  }

  // Every element of the page asking for the same page and length shares one request.
  function summary(url, length, t) {
    var key = url + "\n" + length;
    if (!answers[key]) {
      var controller = window.AbortController ? new AbortController() : null;
      var timer = setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
      answers[key] = fetch(BASE + "api/embed/summary?url=" + encodeURIComponent(url) +
        "&length=" + length, {
        credentials: "omit",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        return readAnswer(response, t);
      }).catch(function (error) {
        if (controller && controller.signal.aborted) {
          throw failure(fill(t.timeout, { seconds: TIMEOUT_MS / 1000 }));
        }
        if (error && error.shown) throw error;
        throw failure(t.unreachable);
      }).finally(function () { clearTimeout(timer); });
      // A failure is not kept: Retry asks the server anew.
      answers[key].catch(function () { delete answers[key]; });
    }
    return answers[key];
  }

  function node(tag, attributes, children) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      element.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      element.append(child);
    });
    return element;
  }

  function stylesheet() {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    return sheet;
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function safely(action) {
    return function () {
      try {
        return action.apply(this, arguments);
      } catch (ignored) {
        return undefined; // the host page's console is not ours to fill
      }
    };
  }

  class NewsbriefSummary extends HTMLElement {
    constructor() {
      super();
      this.request = 0;
    }

    static get observedAttributes() {
      return ["url"];
    }

    connectedCallback() {
      safely(this.setUp).call(this);
    }

    // A page that changes the article in place (a single-page site) sets a new url: the
    // summary shown is then another page's, so it goes, and an open panel asks anew.
    attributeChangedCallback(name, before, after) {
      if (!this.box || before === after) return;
      var self = this;
      safely(function () {
        self.loaded = null;
        self.request++;
        self.bullets.replaceChildren();
        self.status.textContent = "";
        self.method.hidden = true;
        self.how.hidden = true;
        if (self.button.getAttribute("aria-expanded") === "true") {
          self.load(self.pressed || "medium");
        }
      })();
    }

    setUp() {
      if (this.box) return;
      var root = this.attachShadow({ mode: "open" });
      root.adoptedStyleSheets = [stylesheet()];
      this.t = EN;
      this.button = node("button", { type: "button", part: "button", class: "button",
        "aria-expanded": "false", "aria-controls": "panel" }, [
        node("span", { class: "q", part: "question" }),
        node("span", { class: "a", part: "action" })
      ]);
      this.heading = node("h2", { id: "title", part: "heading" });
      this.lengthGroup = node("div", { class: "lengths", role: "group" }, LENGTHS.map(
        function (name) {
          return node("button", { type: "button", class: "length", part: "length",
            "data-length": name, "aria-pressed": "false" });
        }));
      this.status = node("p", { class: "status", role: "status", "aria-live": "polite",
        part: "status" });
      this.retry = node("button", { type: "button", class: "retry", part: "retry",
        hidden: "" });
      this.bullets = node("ul", { part: "bullets" });
      this.method = node("p", { class: "method", part: "method", hidden: "" });
      this.howMade = node("p");
      this.howWhat = node("p");
      this.howCaveat = node("p");
      this.howTitle = node("summary");
      this.how = node("details", { class: "how", part: "how", hidden: "" },
        [this.howTitle, this.howMade, this.howWhat, this.howCaveat]);
      this.panel = node("section", { id: "panel", class: "panel", part: "panel",
        tabindex: "-1", "aria-labelledby": "title", hidden: "" }, [
        this.heading, this.lengthGroup, this.status, this.retry, this.bullets, this.method,
        this.how
      ]);
      this.box = node("div", { class: "box", part: "box" }, [this.button, this.panel]);
      root.append(this.box);
      var self = this;
      this.button.addEventListener("click", safely(function () { self.toggle(); }));
      this.lengthGroup.addEventListener("click", safely(function (event) {
        var choice = event.target.closest(".length");
        if (choice) self.load(choice.getAttribute("data-length"));
      }));
      this.retry.addEventListener("click", safely(function () {
        self.load(self.retry.getAttribute("data-length"));
      }));
      this.label(EN);
      var code = languageOf(this);
      if (code !== "en") {
        // Until the labels arrive the button waits unseen, rather than flashing English.
        this.box.style.visibility = "hidden";
        labelsFor(code).then(function (t) {
          self.label(t);
          self.box.style.visibility = "";
        });
      }
    }

    label(t) {
      this.t = t;
      var q = this.button.firstChild;
      q.textContent = t.question;
      this.box.setAttribute("lang", t.lang || "en");
      this.box.setAttribute("dir", t.dir === "rtl" ? "rtl" : "ltr");
      this.heading.textContent = t.heading;
      this.lengthGroup.setAttribute("aria-label", t.lengths);
      this.lengthGroup.querySelectorAll(".length").forEach(function (b) {
        b.textContent = t[b.getAttribute("data-length")];
      });
      this.retry.textContent = t.retry;
      this.howTitle.textContent = t.how;
      this.howCaveat.textContent = t.how_caveat;
      this.setOpen(this.button.getAttribute("aria-expanded") === "true");
    }

    setOpen(open) {
      this.button.setAttribute("aria-expanded", open ? "true" : "false");
      this.button.lastChild.textContent = open ? this.t.hide : this.t.get;
      this.panel.hidden = !open;
    }

    toggle() {
      var open = this.button.getAttribute("aria-expanded") !== "true";
      this.setOpen(open);
      if (!open) return;
      this.panel.focus({ preventScroll: true });
      this.panel.scrollIntoView({ block: "nearest", behavior: reducedMotion() ? "auto" : "smooth" });
      var wanted = this.getAttribute("length");
      var length = this.pressed || (LENGTHS.indexOf(wanted) >= 0 ? wanted : "medium");
      if (this.loaded !== length) this.load(length);
    }

    press(length) {
      this.pressed = length;
      this.lengthGroup.querySelectorAll(".length").forEach(function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-length") === length ? "true" : "false");
      });
    }

    // Only the latest request may change the panel: the pressed length is the one shown.
    load(length) {
      var self = this;
      var id = ++this.request;
      var t = this.t;
      this.press(length);
      if (this.shadowRoot.activeElement === this.retry) this.panel.focus({ preventScroll: true });
      this.retry.hidden = true;
      this.status.classList.remove("error");
      this.status.textContent = t.loading;
      this.panel.setAttribute("aria-busy", "true");
      summary(pageUrl(this), length, t).then(function (answer) {
        if (id !== self.request) return;
        self.show(answer);
        self.loaded = length;
      }, function (error) {
        if (id !== self.request) return;
        var message = (error && error.shown) || t.unreachable;
        if (self.loaded && self.loaded !== length) {
          self.press(self.loaded);
          message += " " + fill(t.still_showing, { length: t[self.loaded] });
        }
        self.status.textContent = message;
        self.status.classList.add("error");
        self.retry.setAttribute("data-length", length);
        self.retry.hidden = false;
      }).catch(function () { /* never into the page's console */ }).finally(function () {
        if (id === self.request) self.panel.removeAttribute("aria-busy");
      });
    }

    show(answer) {
      var t = this.t;
      var list = this.bullets;
      list.replaceChildren();
      if (/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(answer.language || "")) {
        list.setAttribute("lang", answer.language);
      }
      answer.sentences.forEach(function (sentence) {
        var item = node("li", { dir: "auto" });
        item.textContent = String(sentence.text);
        if (sentence.supported === false) {
          item.className = "unsupported";
          var mark = node("span", { class: "label", lang: t.lang || "en" });
          mark.textContent = t.unsupported;
          item.append(" ", mark);
        }
        list.append(item);
      });
      var kind = answer.kind === "abstractive" ? "abstractive" : "extractive";
      var fallback = answer.info && answer.info.fallback;
      this.status.textContent = fallback
        ? fill(t.fallback, { method: answer.method, reason: fallback.reason,
          fallback: fallback.method })
        : "";
      this.method.textContent = fill(t.method, { method: answer.method, kind: t[kind] });
      var shown = fallback ? "extractive" : kind;
      this.howMade.textContent = fill(t["how_made_" + shown],
        { method: fallback ? fallback.method : answer.method });
      this.howWhat.textContent = t["how_" + shown];
      this.method.hidden = false;
      this.how.hidden = false;
    }
  }

  try {
    window.customElements.define(TAG, NewsbriefSummary);
  } catch (ignored) {
    // Another copy of this script defined it first.
  }
})();
