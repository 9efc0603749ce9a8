// <img> for MJPEG streams that closes its connection when it leaves the page.
import { forwardRef, useEffect, useImperativeHandle, useRef, type ImgHTMLAttributes } from 'react';

/** A 1×1 transparent GIF: loading it replaces (and so aborts) whatever request the element had open. */
export const BLANK_IMAGE = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

/**
 * Chromium keeps a multipart/x-mixed-replace load running after its <img> is removed from the DOM (until GC), so
 * every screen change left MJPEG connections streaming; a handful exhausts the browser's six connections per host and
 * every API call then stalls. Pointing the detached element at a data: URL ends the request at once.
 */
export function releaseImage(img: HTMLImageElement | null): void {
  if (img && img.getAttribute('src') !== BLANK_IMAGE && !img.src.startsWith('data:')) {
    img.dataset.released = '1';
    img.src = BLANK_IMAGE;
  }
}

export const LiveImage = forwardRef<HTMLImageElement, ImgHTMLAttributes<HTMLImageElement>>(function LiveImage(props, ref) {
  const el = useRef<HTMLImageElement>(null);
  const src = useRef(props.src);
  src.current = props.src;
  useImperativeHandle(ref, () => el.current as HTMLImageElement, []);
  useEffect(() => {
    const img = el.current;
    // StrictMode re-runs effects on the same element: give it its source back.
    if (img?.dataset.released && src.current) {
      delete img.dataset.released;
      img.src = src.current;
    }
    return () => releaseImage(img);
  }, []);
  return <img ref={el} {...props} />;
});
