import { describe, expect, it } from 'vitest';
import { devicePoints, engagementGrade, frequencyPoints, gradeOf, recencyPoints } from './grade.js';

describe('engagement grade A–F', () => {
  it('gives the points of each band edge', () => {
    expect([0, 1, 2, 3, 7].map(devicePoints)).toEqual([0, 15, 25, 35, 35]);
    expect([0, 1, 2, 5, 6, 11, 12, 19, 20, 30].map(frequencyPoints)).toEqual([
      0, 5, 10, 10, 20, 20, 30, 30, 40, 40,
    ]);
    expect([0, 1, 2, 7, 8, 14, 15, 30, 31, 90, 91, null].map(recencyPoints)).toEqual([
      25, 25, 20, 20, 15, 15, 10, 10, 5, 5, 0, 0,
    ]);
  });

  it('maps points to the bands at their boundaries', () => {
    expect([100, 85, 84, 70, 69, 55, 54, 40, 39, 20, 19, 0].map(gradeOf)).toEqual([
      'A',
      'A',
      'B',
      'B',
      'C',
      'C',
      'D',
      'D',
      'E',
      'E',
      'F',
      'F',
    ]);
  });

  it('grades people from active devices, sync days and recency', () => {
    expect(engagementGrade(3, 20, 0)).toBe('A'); // 35 + 40 + 25 = 100
    expect(engagementGrade(3, 12, 7)).toBe('A'); // 35 + 30 + 20 = 85
    expect(engagementGrade(3, 12, 14)).toBe('B'); // 35 + 30 + 15 = 80
    expect(engagementGrade(2, 12, 14)).toBe('B'); // 25 + 30 + 15 = 70
    expect(engagementGrade(2, 6, 7)).toBe('C'); // 25 + 20 + 20 = 65
    expect(engagementGrade(1, 6, 7)).toBe('C'); // 15 + 20 + 20 = 55
    expect(engagementGrade(1, 6, 14)).toBe('D'); // 15 + 20 + 15 = 50
    expect(engagementGrade(1, 2, 14)).toBe('D'); // 15 + 10 + 15 = 40
    expect(engagementGrade(1, 2, 30)).toBe('E'); // 15 + 10 + 10 = 35
    expect(engagementGrade(0, 2, 30)).toBe('E'); // 0 + 10 + 10 = 20
    expect(engagementGrade(0, 1, 30)).toBe('F'); // 0 + 5 + 10 = 15
    expect(engagementGrade(0, 0, null)).toBe('F');
  });
});
