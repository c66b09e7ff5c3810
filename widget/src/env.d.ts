// CSS files are bundled as minified text by widget/build.mjs.
declare module "*.css" {
	const text: string;
	export default text;
}
