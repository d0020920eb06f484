// Fundraising pages: copy-link buttons and the give form's amount buttons. No inline scripts (CSP).
// Copy buttons are found on click, so those swapped in by htmx (the thank-you page) work too.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-kd-copy]");
  if (!button) return;
  try {
    await navigator.clipboard.writeText(button.dataset.kdCopy);
    button.textContent = button.dataset.kdCopied;
  } catch (error) {
    window.prompt("", button.dataset.kdCopy);
  }
});
document.addEventListener("DOMContentLoaded", () => {
  // Choosing a suggested amount clears "other amount", and typing one clears the choice.
  const other = document.querySelector(".kd-give-form input[name='amount']");
  const presets = document.querySelectorAll(".kd-give-form input[name='preset']");
  if (other) {
    presets.forEach((radio) => radio.addEventListener("change", () => { other.value = ""; }));
    other.addEventListener("input", () => {
      if (other.value.trim()) presets.forEach((radio) => { radio.checked = false; });
    });
  }
  // The day of the month matters only for a monthly gift.
  const day = document.querySelector(".kd-give-form .kd-monthly-day");
  const frequencies = document.querySelectorAll(".kd-give-form input[name='frequency']");
  const showDay = () => {
    const monthly = document.querySelector(".kd-give-form input[name='frequency'][value='monthly']");
    if (day && monthly) day.hidden = !monthly.checked;
  };
  frequencies.forEach((radio) => radio.addEventListener("change", showDay));
  showDay();
});
