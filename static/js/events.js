// Events: filter the check-in list as the host types a name (no inline scripts: the CSP forbids them).
// Folded as members.search folds on the server: case, "ё" as "е", accents dropped ("й" kept).
const fold = (text) =>
  text.toLowerCase().replaceAll("ё", "е").normalize("NFD").replace(/[\u0300-\u0305\u0307-\u036f]/g, "").normalize("NFC");

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-checkin-filter]").forEach((input) => {
    const list = document.querySelector(input.dataset.checkinFilter);
    if (!list) return;
    input.addEventListener("input", () => {
      const query = fold(input.value.trim());
      list.querySelectorAll("[data-name]").forEach((row) => {
        row.classList.toggle("d-none", query !== "" && !fold(row.dataset.name).includes(query));
      });
    });
  });

  // The phone's sticky "Register" bar steps aside while the registration form itself is on screen.
  document.querySelectorAll("[data-hide-when-visible]").forEach((bar) => {
    const target = document.querySelector(bar.dataset.hideWhenVisible);
    if (!target || !("IntersectionObserver" in window)) return;
    new IntersectionObserver((entries) => {
      bar.classList.toggle("d-none", entries.some((entry) => entry.isIntersecting));
    }).observe(target);
  });
});
