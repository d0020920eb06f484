// Events: filter the check-in list as the host types a name (no inline scripts: the CSP forbids them).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-checkin-filter]").forEach((input) => {
    const list = document.querySelector(input.dataset.checkinFilter);
    if (!list) return;
    input.addEventListener("input", () => {
      const query = input.value.trim().toLowerCase();
      list.querySelectorAll("[data-name]").forEach((row) => {
        row.classList.toggle("d-none", query !== "" && !row.dataset.name.includes(query));
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
