// Print d3.geoAlbersUsa reference points for tests/test_maps.py (checks providers/maps.py).
// Usage: npm install --prefix /tmp/d3ref d3-geo@3.1.2
//        NODE_PATH=/tmp/d3ref/node_modules node tools/albers_usa_reference.mjs
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { geoAlbersUsa } = require("d3-geo");
const projection = geoAlbersUsa().scale(1300).translate([487.5, 305]);

const places = [
  ["New York", 40.7128, -74.006],
  ["Los Angeles", 34.0522, -118.2437],
  ["Chicago", 41.8781, -87.6298],
  ["Houston", 29.7604, -95.3698],
  ["Seattle", 47.6062, -122.3321],
  ["Miami", 25.7617, -80.1918],
  ["Key West", 24.5551, -81.78],
  ["Denver", 39.7392, -104.9903],
  ["Portland, Maine", 43.6591, -70.2568],
  ["Eastport, Maine", 44.9062, -66.99],
  ["Brownsville", 25.9017, -97.4975],
  ["San Diego", 32.7157, -117.1611],
  ["Washington DC", 38.9072, -77.0369],
  ["Minneapolis", 44.9778, -93.265],
  ["Anchorage", 61.2181, -149.9003],
  ["Juneau", 58.3019, -134.4197],
  ["Utqiagvik", 71.2906, -156.7886],
  ["Adak", 51.88, -176.6581],
  ["Attu (east of 180)", 52.9, 172.9],
  ["Honolulu", 21.3069, -157.8583],
  ["Hilo", 19.7074, -155.0885],
  ["Lihue", 21.9811, -159.3711],
  ["San Juan PR", 18.4655, -66.1057],
  ["Hagatna Guam", 13.4443, 144.7937],
  ["Toronto", 43.6532, -79.3832],
  ["Mexico City", 19.4326, -99.1332],
  ["Null Island", 0, 0],
];

for (const [name, lat, lng] of places) {
  const p = projection([lng, lat]);
  console.log(JSON.stringify([name, lat, lng, p && [+p[0].toFixed(4), +p[1].toFixed(4)]]));
}
