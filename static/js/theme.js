// The colour theme a person chose: light, dark, or the system's (the default, nothing stored).
// Loaded without `defer` in <head>, so the choice is on <html> before the page first paints;
// the CSP allows no inline script, hence this small file. Pico and app.css read data-theme.
(function () {
  "use strict";
  const KEY = "agora-theme";
  const root = document.documentElement;

  function stored() {
    try { return localStorage.getItem(KEY) || "system"; } catch (e) { return "system"; }
  }

  function apply(choice) {
    if (choice === "light" || choice === "dark") root.dataset.theme = choice;
    else delete root.dataset.theme;
  }

  apply(stored());
  // The switch works only with this script: without it the page follows the system (CSS: .can-switch-theme).
  root.classList.add("can-switch-theme");

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("select[data-theme-switch]").forEach((select) => { select.value = stored(); });
  });
  document.addEventListener("change", (event) => {
    if (!event.target.matches("select[data-theme-switch]")) return;
    const choice = event.target.value;
    try {
      if (choice === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, choice);
    } catch (e) { /* storage disabled: the choice lasts for this page */ }
    apply(choice);
  });
  // Paper is white: a dark choice is set aside while printing (the CSS prints the light colours).
  window.addEventListener("beforeprint", () => apply("system"));
  window.addEventListener("afterprint", () => apply(stored()));
  // Another tab changed the theme: follow it.
  window.addEventListener("storage", (event) => {
    if (event.key === KEY) {
      apply(stored());
      document.querySelectorAll("select[data-theme-switch]").forEach((select) => { select.value = stored(); });
    }
  });
})();
