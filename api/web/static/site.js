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
  // A file larger than the server accepts is refused here, before it is sent.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach((input) => {
    input.addEventListener("change", () => {
      const max = Number(input.dataset.maxBytes);
      const big = Array.from(input.files || []).some((f) => f.size > max);
      input.setCustomValidity(big ? (input.dataset.tooLarge || "文件太大") : "");
      if (big) { input.reportValidity(); }
    });
  });
  // Copy buttons (a new token): copy the element's text, say so on the button.
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) { button.hidden = true; return; }
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(source.textContent.trim()).then(() => {
        button.textContent = button.dataset.copied || "已复制";
      });
    });
  });
  // A field that says in Chinese what it wants (data-invalid), not the browser's "Please match the requested format."
  document.querySelectorAll("input[data-invalid]").forEach((input) => {
    const check = () => {
      input.setCustomValidity("");
      if (input.validity.patternMismatch) { input.setCustomValidity(input.dataset.invalid); }
    };
    input.addEventListener("input", check);
    input.addEventListener("invalid", check);
    check();
  });
  // Fields that apply only when another field of the form has one of some values (data-when, from the
  // catalogue's `when`): shown (and required, if they are) only then; otherwise hidden and disabled, so the
  // browser neither asks for them nor sends them. Without this script every field shows with its hint, and the
  // server judges either way. A field the server marked wrong stays in view so its message can be read.
  const conditional = Array.from(document.querySelectorAll(".field[data-when]"));
  const valueOf = (form, name) => {
    const other = form && form.elements.namedItem(name);
    if (!other || other.disabled) { return null; }  // a hidden field's own value does not count
    return other.type === "checkbox" ? String(other.checked) : other.value;
  };
  const applyConditions = () => {
    // In document order, so a field that depends on a hidden one is hidden too.
    conditional.forEach((box) => {
      const wanted = box.dataset.whenValues.split(" ");
      const applies = wanted.includes(valueOf(box.closest("form"), box.dataset.when));
      const shown = applies || box.classList.contains("has-error");
      box.hidden = !shown;
      box.querySelectorAll("input, select, textarea").forEach((input) => {
        input.disabled = !shown;
        if (box.hasAttribute("data-when-required") && input.type !== "checkbox") { input.required = applies; }
      });
    });
  };
  if (conditional.length) {
    document.querySelectorAll("form").forEach((form) => {
      form.addEventListener("change", applyConditions);
    });
    applyConditions();
  }
  // Move to the first field with an error.
  const bad = document.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (bad) { bad.focus(); }
});
