// Member directory: select everyone on the page, and say how many people a bulk action will touch.
// Event delegation, so it keeps working after htmx swaps the results.
(() => {
  // Inline styles are forbidden by the CSP, so htmx must not copy style attributes while settling a swap
  // (an empty one left by the browser on an input would be reported as a violation).
  if (window.htmx) window.htmx.config.attributesToSettle = ["class", "width", "height"];

  // On a phone the filter chips start folded unless one is on; wider screens keep them in view.
  document.addEventListener("DOMContentLoaded", () => {
    const filters = document.querySelector("details.kd-filters");
    if (filters && !filters.dataset.active && window.matchMedia("(max-width: 767.98px)").matches) {
      filters.open = false;
    }
  });

  const ids = (form) => Array.from(form.querySelectorAll("input[name='ids']"));

  function describe(form) {
    const label = form.querySelector("#directory-selected");
    const everyone = form.querySelector("#directory-everyone");
    const pageAll = form.querySelector("#directory-page-all");
    if (!label) return;
    const boxes = ids(form);
    const ticked = boxes.filter((box) => box.checked).length;
    if (pageAll) {
      pageAll.checked = boxes.length > 0 && ticked === boxes.length;
      pageAll.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    if (everyone && everyone.checked) {
      label.textContent = label.dataset.templateAll;
    } else if (ticked) {
      label.textContent = `${label.dataset.templateSome} ${ticked}`;
    } else {
      label.textContent = label.dataset.templateNone;
    }
  }

  document.addEventListener("change", (event) => {
    const form = event.target.closest("#directory-bulk");
    if (!form) return;
    if (event.target.id === "directory-page-all") {
      ids(form).forEach((box) => { box.checked = event.target.checked; });
    } else if (event.target.id === "directory-everyone") {
      ids(form).forEach((box) => { box.checked = event.target.checked; });
    } else if (event.target.name === "ids" && !event.target.checked) {
      const everyone = form.querySelector("#directory-everyone");
      if (everyone) everyone.checked = false;
    }
    describe(form);
  });
})();
