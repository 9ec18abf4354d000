'use client';

import { useState } from 'react';

/**
 * Saves a diagram drawn in the page as SVG or PNG. The page's stylesheet does not travel with a
 * file, so the computed colours and fonts are written onto a copy of each element first.
 */

const styled = [
  'fill',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'font-family',
  'font-size',
  'font-weight',
  'opacity',
  'text-anchor',
  'dominant-baseline',
];

function standalone(svg: SVGSVGElement): { text: string; width: number; height: number } {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...svg.querySelectorAll('*')];
  const copies = [copy, ...copy.querySelectorAll('*')];
  originals.forEach((el, i) => {
    const computed = getComputedStyle(el);
    const target = copies[i] as SVGElement | undefined;
    if (!target) return;
    target.setAttribute('style', styled.map((p) => `${p}:${computed.getPropertyValue(p)}`).join(';'));
  });
  // A zoomable diagram is saved whole and unzoomed: its full size is in data attributes.
  copy.querySelectorAll('[data-zoom]').forEach((g) => g.removeAttribute('transform'));
  const box = svg.viewBox.baseVal;
  const width = Number(svg.dataset.exportWidth) || (box && box.width ? box.width : svg.clientWidth);
  const height = Number(svg.dataset.exportHeight) || (box && box.height ? box.height : svg.clientHeight);
  copy.setAttribute('viewBox', `0 0 ${width} ${height}`);
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  // The page background, so the file reads the same in a viewer with another background.
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', getComputedStyle(document.documentElement).backgroundColor);
  copy.insertBefore(bg, copy.firstChild);
  return { text: new XMLSerializer().serializeToString(copy), width, height };
}

function download(url: string, name: string) {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

export function DiagramExport({ targetId, fileName }: { targetId: string; fileName: string }) {
  const [problem, setProblem] = useState<string | null>(null);
  const svgOf = () => {
    const el = document.getElementById(targetId);
    if (!(el instanceof SVGSVGElement)) throw new Error('the diagram is not on the page');
    return standalone(el);
  };
  const saveSvg = () => {
    try {
      const url = URL.createObjectURL(new Blob([svgOf().text], { type: 'image/svg+xml' }));
      download(url, `${fileName}.svg`);
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      setProblem(null);
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    }
  };
  const savePng = () => {
    try {
      const { text, width, height } = svgOf();
      const img = new Image();
      const scale = 2;
      img.onload = () => {
        const canvas = document.createElement('canvas');
        canvas.width = Math.ceil(width * scale);
        canvas.height = Math.ceil(height * scale);
        const ctx = canvas.getContext('2d');
        if (!ctx) return setProblem('this browser cannot draw to a canvas');
        ctx.scale(scale, scale);
        ctx.drawImage(img, 0, 0, width, height);
        download(canvas.toDataURL('image/png'), `${fileName}.png`);
        setProblem(null);
      };
      img.onerror = () => setProblem('the diagram could not be drawn as an image');
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="diagram-export">
      <button type="button" onClick={saveSvg}>
        Download SVG
      </button>
      <button type="button" onClick={savePng}>
        Download PNG
      </button>
      {problem && (
        <span role="alert" className="error-text">
          Export failed: {problem}
        </span>
      )}
    </div>
  );
}
