/**
 * The chat's two icons as inline SVG built in the page: an emoji would need a font the system may not have
 * (a box instead of a lock), and an image file would be one more request. Drawn in `currentColor`, hidden
 * from screen readers: the element around an icon carries its text.
 */
const SVG = 'http://www.w3.org/2000/svg';

function icon(path: string, stroked: boolean): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '1em');
  svg.setAttribute('height', '1em');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const shape = document.createElementNS(SVG, 'path');
  shape.setAttribute('d', path);
  if (stroked) {
    shape.setAttribute('fill', 'none');
    shape.setAttribute('stroke', 'currentColor');
    shape.setAttribute('stroke-width', '1.5');
    shape.setAttribute('stroke-linecap', 'round');
  } else {
    shape.setAttribute('fill', 'currentColor');
    shape.setAttribute('fill-rule', 'evenodd');
  }
  svg.append(shape);
  return svg;
}

export function lockIcon(): SVGSVGElement {
  return icon('M4 7V5a4 4 0 0 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 0 0-4 0v2z', false);
}

export function paperclipIcon(): SVGSVGElement {
  return icon('M10.5 4.5l-5 5a1.5 1.5 0 0 0 2 2l5-5a3 3 0 0 0-4-4l-5 5a4.5 4.5 0 0 0 6 6l4-4', true);
}
