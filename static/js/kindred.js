// Site-wide behaviour. No inline scripts anywhere: the Content-Security-Policy forbids them.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to a form's error summary so screen readers announce it.
  const summary = document.querySelector(".alert-danger[tabindex='-1']");
  if (summary) summary.focus();
});
