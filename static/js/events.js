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
});
