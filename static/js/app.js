// Agora's small progressive enhancements. Every page works without this file.

// Translated strings come from Django's JavaScript catalog, loaded before this file
// (classroom/views/jscatalog.py); without it (a failed load) the English source strings are shown.
const gettext = window.gettext || ((text) => text);
const ngettext = window.ngettext || ((one, many, count) => (count === 1 ? one : many));
const interpolate = window.interpolate || ((text, values) => text.replace(/%\(\w+\)s/g, (name) => values[name.slice(2, -2)]));
(function () {
  "use strict";

  // Same rule as classroom/text.py: one Chinese or Japanese character, or letters and
  // digits joined by ' ’ or -.
  const CJK = "\\u3040-\\u30ff\\u31f0-\\u31ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff66-\\uff9f\\u{20000}-\\u{2fa1f}";
  const LETTER = `(?:(?![${CJK}])[\\p{L}\\p{N}])`;
  const WORD = new RegExp(`[${CJK}]|${LETTER}+(?:['’\\-]${LETTER}+)*`, "gu");

  function countWords(text) {
    return (text.normalize("NFC").match(WORD) || []).length;
  }

  function updateWordCount(textarea) {
    const counter = document.querySelector(`[data-word-count-for="${textarea.id}"]`);
    if (!counter) return;
    const words = countWords(textarea.value);
    const min = parseInt(counter.dataset.minWords || "0", 10);
    let text = interpolate(ngettext("%(count)s word", "%(count)s words", words), { count: words }, true);
    if (min) {
      const rule = words >= min
        ? ngettext("minimum of %(min)s reached", "minimum of %(min)s reached", min)
        : ngettext("at least %(min)s needed", "at least %(min)s needed", min);
      text += ` · ${interpolate(rule, { min }, true)}`;
    }
    counter.textContent = text;
    counter.classList.toggle("is-short", min > 0 && words < min);
  }

  // Drafts: what a student types survives a failed post, a lost connection or a reload.
  // One key per form (it names the user, so a shared computer does not hand one student's
  // text to the next) and per box: a reply with a restatement keeps both.
  function draftKey(form) {
    return form && form.dataset.draftKey ? `agora-draft:${form.dataset.draftKey}` : null;
  }

  function fieldKey(textarea) {
    const key = draftKey(textarea.form);
    return key && textarea.name && textarea.name !== "body" ? `${key}:${textarea.name}` : key;
  }

  function saveDraft(textarea) {
    const key = fieldKey(textarea);
    if (!key) return;
    try {
      if (textarea.value.trim()) localStorage.setItem(key, textarea.value);
      else localStorage.removeItem(key);
    } catch (e) { /* storage full or disabled: the text is still in the box */ }
  }

  function restoreDrafts(root) {
    root.querySelectorAll("form[data-draft-key] textarea").forEach((textarea) => {
      const key = fieldKey(textarea);
      let draft = null;
      try { draft = localStorage.getItem(key); } catch (e) { /* ignore */ }
      if (draft && !textarea.value.trim()) {
        textarea.value = draft;
        const note = document.createElement("p");
        note.className = "draft-note muted";
        note.textContent = gettext("Your unsent draft was restored.");
        textarea.insertAdjacentElement("afterend", note);
      }
      updateWordCount(textarea);
    });
    root.querySelectorAll("textarea[data-min-words]").forEach(updateWordCount);
  }

  document.addEventListener("input", (event) => {
    if (event.target.matches("textarea")) {
      updateWordCount(event.target);
      saveDraft(event.target);
    }
  });

  // A form that posted successfully clears its draft. The form is usually swapped out
  // by then, so htmx re-fires this event on an ancestor: requestConfig.elt is the form.
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt;
    if (event.detail.successful && form.matches && form.matches("form[data-draft-key]")) {
      const key = draftKey(form);
      // A form still on the page with errors, or in Write / Preview, has not posted: keep the draft.
      const stillErrors = document.querySelector(`form[data-draft-key="${form.dataset.draftKey}"] :is(.errorlist, .composer-modes)`);
      if (key && !stillErrors) {
        try {
          Object.keys(localStorage)
            .filter((stored) => stored === key || stored.startsWith(`${key}:`))
            .forEach((stored) => localStorage.removeItem(stored));
        } catch (e) { /* ignore */ }
      }
    }
  });

  // A post from a thread page names the version the page shows, so the answer to the post
  // can keep the page's poll asking from there: what others wrote meanwhile still arrives.
  document.addEventListener("htmx:configRequest", (event) => {
    const poll = document.getElementById("thread-poll");
    if (!poll || event.detail.verb !== "post") return;
    const version = new URL(poll.getAttribute("hx-get"), window.location.href).searchParams.get("v");
    if (version !== null) event.detail.parameters.seen = version;
  });

  // A response that is already on the page (the student's own post, then the poll)
  // is not inserted twice. A piece that replaces a whole section (the list redrawn after
  // a stance is saved) is not an insertion: it still swaps.
  document.addEventListener("htmx:oobBeforeSwap", (event) => {
    const { fragment, target } = event.detail;
    const card = fragment && fragment.querySelector && fragment.querySelector("article[id^='response-']");
    const replacesTarget = card && target.id && fragment.querySelector(`#${CSS.escape(target.id)}`);
    if (card && !replacesTarget && document.getElementById(card.id)) {
      event.detail.shouldSwap = false;
    }
  });

  // When a post fails (server error, no connection, timed out), say so; the text stays in the box.
  function showFailure(event) {
    const form = event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    if (!form) return;
    let box = form.querySelector(".send-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "send-error form-errors";
      box.setAttribute("role", "alert");
      form.querySelector(".form-actions")?.insertAdjacentElement("beforebegin", box);
    }
    box.textContent = gettext("Not sent: the connection or the server failed. Your text is still here; try again.");
  }
  document.addEventListener("htmx:responseError", showFailure);
  document.addEventListener("htmx:sendError", showFailure);
  document.addEventListener("htmx:timeout", showFailure);

  // "Cancel" in an inline reply form closes it instead of leaving the page.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-close-slot]");
    const slot = link && link.closest(".reply-slot");
    if (slot && slot.closest("#thread-responses")) {
      event.preventDefault();
      const opener = document.querySelector(`#${slot.id.replace("reply-slot-", "thread-item-")} .response-actions a`);
      slot.replaceChildren();
      if (opener) opener.focus();
    }
  });

  // After a post or a preview, the server names where the focus goes (classroom/views/thread.py
  // focus_on): the new answer or reply, the preview, the text box. Not a control, so it gets
  // tabindex -1: reachable by script, not added to the tab order.
  document.addEventListener("agora:focus", (event) => {
    const element = event.detail && event.detail.selector && document.querySelector(event.detail.selector);
    if (!element) return;
    if (!element.matches("a[href], button, input, textarea, select, [tabindex]")) element.setAttribute("tabindex", "-1");
    element.focus();
  });

  // A reply form that htmx opens takes the focus, so keyboard users can type at once.
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (target && target.classList && target.classList.contains("reply-slot")) {
      const textarea = document.querySelector(`#${target.id} textarea`);
      if (textarea) textarea.focus();
    }
  });
  // A form that comes back with an error puts the cursor at the end of the kept text.
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target && document.getElementById(event.detail.target.id);
    const textarea = target && target.querySelector && target.querySelector(".has-error textarea");
    if (textarea) {
      textarea.focus();
      textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    }
  });
  document.addEventListener("htmx:load", (event) => restoreDrafts(event.detail.elt));
  document.addEventListener("DOMContentLoaded", () => restoreDrafts(document));

  // A date box shows the date as the browser writes it (often 12/07/2026, 11:59 PM); the line
  // under it repeats it in the page's language, 24-hour, with the zone ("Mon 7 Dec 2026, 23:59"
  // in English: en-GB's order is the one every Agora page writes).
  const pageLanguage = document.documentElement.lang || "en";
  const ECHO = new Intl.DateTimeFormat(pageLanguage === "en" ? "en-GB" : pageLanguage, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC",
  });
  function echoDate(input) {
    const echo = document.querySelector(`[data-date-echo-for="${input.id}"]`);
    if (!echo) return;
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(input.value);
    if (!match) { echo.textContent = ""; return; }
    const [, year, month, day, hour, minute] = match;
    // The typed wall time, written as UTC and formatted in UTC: no zone shifts it.
    const typed = new Date(Date.UTC(+year, +month - 1, +day, +hour, +minute));
    echo.textContent = `${ECHO.format(typed)} (${echo.dataset.zone})`;
  }
  document.addEventListener("input", (event) => {
    if (event.target.matches("input[type='datetime-local']")) echoDate(event.target);
  });
  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("input[type='datetime-local']").forEach(echoDate));
  document.addEventListener("htmx:load", (event) => event.detail.elt.querySelectorAll?.("input[type='datetime-local']").forEach(echoDate));

  // Sign-up: the browser's own time zone becomes the account's (changeable on the profile page).
  document.addEventListener("DOMContentLoaded", () => {
    let zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* an old browser: the site's default */ }
    document.querySelectorAll("input[data-browser-time-zone]").forEach((input) => {
      if (!input.value) input.value = zone;
    });
  });
})();

// Grading from the keyboard: Ctrl+Enter saves the feedback; after a save the
// cursor moves to the next ungraded student's score.
(function () {
  "use strict";
  document.addEventListener("keydown", (event) => {
    const field = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && field.matches(".feedback-form textarea")) {
      event.preventDefault();
      field.form.requestSubmit();
    }
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const row = event.detail.target && document.getElementById(event.detail.target.id);
    if (!row || row.dataset.saved !== "true") return;
    let next = row.nextElementSibling;
    while (next && !next.classList.contains("is-ungraded")) next = next.nextElementSibling;
    const score = next ? next.querySelector("input[name='score']") : null;
    if (score) score.focus();
  });
})();

// Quoting the brief: selecting or clicking a sentence of the brief picks it in the answer's
// "Quote a sentence" list. The list stays the keyboard path; the brief marks the chosen sentence.
(function () {
  "use strict";
  const SENTENCE = ".brief-quotable .sentence[data-quote]";

  function quoteSelect() {
    return document.querySelector("#composer select[name='quote']") || document.querySelector("select[name='quote']");
  }

  // The sentence's own words, without its "quoted by n answers" mark.
  function sentenceText(sentence) {
    return Array.from(sentence.childNodes)
      .filter((node) => node.nodeType === Node.TEXT_NODE)
      .map((node) => node.textContent)
      .join("")
      .trim();
  }

  function firstWords(text, count = 8) {
    const words = text.split(/\s+/);
    return words.length > count ? `${words.slice(0, count).join(" ")}…` : text;
  }

  function markChosen() {
    const select = quoteSelect();
    const value = select ? select.value : "";
    document.querySelectorAll(SENTENCE).forEach((sentence) => {
      sentence.classList.toggle("is-chosen", value !== "" && sentence.dataset.quote === value);
    });
  }

  function choose(sentence) {
    const select = quoteSelect();
    if (!select || !sentence || select.value === sentence.dataset.quote) return;
    if (!Array.from(select.options).some((option) => option.value === sentence.dataset.quote)) return;
    select.value = sentence.dataset.quote;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    const announcer = document.getElementById("thread-announcer");
    if (announcer) announcer.textContent = interpolate(gettext("Quoting: %(words)s"), { words: firstWords(sentenceText(sentence)) }, true);
  }

  // The sentence where a selection in the brief starts (a drag across two quotes the first).
  function selectedSentence() {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    let node = selection.getRangeAt(0).startContainer;
    if (node.nodeType !== Node.ELEMENT_NODE) node = node.parentElement;
    const sentence = node && node.closest(SENTENCE);
    if (sentence) return sentence;
    // A selection that starts between two sentences: the first sentence inside it.
    const brief = node && node.closest(".brief-quotable");
    return brief ? Array.from(brief.querySelectorAll(SENTENCE)).find((s) => selection.containsNode(s, true)) : null;
  }

  let pending = null;
  function chooseSelected() {
    clearTimeout(pending);
    pending = null;
    const sentence = selectedSentence();
    if (sentence) choose(sentence);
  }

  // While a mouse drags, wait for the release; keyboard selection settles after a pause.
  document.addEventListener("mouseup", () => setTimeout(chooseSelected, 0));
  document.addEventListener("selectionchange", () => {
    clearTimeout(pending);
    pending = setTimeout(chooseSelected, 400);
  });
  document.addEventListener("click", (event) => {
    const sentence = event.target.closest && event.target.closest(SENTENCE);
    const selection = document.getSelection();
    if (sentence && (!selection || selection.isCollapsed)) choose(sentence);
  });

  document.addEventListener("change", (event) => {
    if (event.target.matches("select[name='quote']")) markChosen();
  });
  // The composer is swapped by htmx (an error, a posted answer): the mark follows the list.
  document.addEventListener("htmx:load", markChosen);
  document.addEventListener("DOMContentLoaded", markChosen);

  // Copy buttons (data-copy names a read-only field): the field's text goes to the
  // clipboard and its status line (aria-live) says so. Where there is no clipboard API
  // (plain http) the button stays hidden; the field selects its text when focused. A class on
  // the page, not on each button, shows them: a live redraw brings new buttons (CSS: .can-copy).
  if (navigator.clipboard) document.documentElement.classList.add("can-copy");

  function copyStatus(field, text) {
    const status = document.querySelector(`[data-copy-status-for="${field.id}"]`);
    if (!status) return;
    status.textContent = text;
    clearTimeout(status.copyTimer);
    status.copyTimer = setTimeout(() => { status.textContent = ""; }, 4000);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    navigator.clipboard.writeText(field.value).then(
      () => copyStatus(field, gettext("Copied")),
      () => {
        field.focus();
        field.select();
        copyStatus(field, gettext("The link is selected: press Ctrl+C (⌘C on a Mac) to copy it."));
      },
    );
  });

  // A form that undoes work asks first (data-confirm holds the question). Without JavaScript it
  // posts at once, as before; htmx forms ask through hx-confirm instead.
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset?.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("focusin", (event) => {
    if (event.target.matches("input[data-select-on-focus]")) event.target.select();
  });

})();
