// Style sheets are imported for esbuild, which writes them next to each window's script.
declare module '*.css';
