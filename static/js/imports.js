// CSV import of members: tell about a too large file before uploading it, and submit once.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-import-upload]");
  if (!form) return;
  const input = form.querySelector("input[type=file]");
  const error = form.querySelector("[data-import-size-error]");
  const submit = form.querySelector("[data-import-submit]");
  const maxBytes = Number(form.dataset.maxBytes);

  const tooBig = () => input.files.length > 0 && input.files[0].size > maxBytes;
  input.addEventListener("change", () => {
    error.textContent = tooBig() ? form.dataset.tooBig : "";
    error.classList.toggle("d-none", !tooBig());
    input.classList.toggle("is-invalid", tooBig());
  });
  form.addEventListener("submit", (event) => {
    if (tooBig()) {
      event.preventDefault();
      input.focus();
      return;
    }
    submit.disabled = true;
  });
});
