// 台账: the little script the pages use (no inline scripts: the Content-Security-Policy forbids them).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Phone menu.
  const toggle = document.querySelector(".menu-toggle");
  const nav = document.getElementById("nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
  // A form submits once: the button waits (the server records a resubmission once anyway).
  document.querySelectorAll("form[method=post]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type=submit]").forEach((b) => {
        window.setTimeout(() => { b.disabled = true; }, 0);
      });
    });
  });
  // Unit pickers switch as soon as a unit is chosen.
  document.querySelectorAll("select.autosubmit").forEach((select) => {
    select.addEventListener("change", () => select.form && select.form.submit());
  });
  // Move to the first field with an error.
  const bad = document.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (bad) { bad.focus(); }
});
