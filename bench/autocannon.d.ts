// The slice of autocannon's programmatic API the benchmark uses (the package ships no types).
declare module "autocannon" {
	interface Options {
		url: string;
		connections?: number;
		duration?: number;
		amount?: number;
		pipelining?: number;
		method?: string;
		headers?: Record<string, string>;
		body?: string;
		timeout?: number;
	}
	interface Histogram {
		average: number;
		mean: number;
		stddev: number;
		min: number;
		max: number;
		total: number;
		p50: number;
		p90: number;
		p99: number;
	}
	interface Result {
		duration: number;
		errors: number;
		timeouts: number;
		non2xx: number;
		"2xx": number;
		latency: Histogram;
		requests: Histogram & { sent: number };
		throughput: Histogram;
	}
	function autocannon(options: Options): Promise<Result>;
	export default autocannon;
}
