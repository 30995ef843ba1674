console.log('join latency: not yet');
export {};
