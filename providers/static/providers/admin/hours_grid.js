// "Copy Monday's hours to Tuesday-Friday" at once; without this script the ticked box does
// the same on save.
"use strict";
document.addEventListener("change", (event) => {
  const box = event.target;
  if (box.name !== "copy_monday" || !box.checked) return;
  for (const input of box.form.querySelectorAll('input[name^="hours_1_"]')) {
    const end = input.name.slice("hours_1_".length);
    for (const day of [2, 3, 4, 5]) {
      const target = box.form.elements[`hours_${day}_${end}`];
      if (target) target.value = input.value;
    }
  }
});
